package launchargs

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"

	"github.com/digitalocean/godo"
)

func TestParse(t *testing.T) {
	cfg := Config{Region: "nyc3", MaxTTL: 30 * dobot.Day}
	tests := []struct {
		name string
		in   string
		want deploy.LaunchArgs
	}{
		{"minimal", "web --image nginx", deploy.LaunchArgs{Name: "web", Image: "nginx", Region: "nyc"}},
		{"flags first", "--image nginx:1.27 web", deploy.LaunchArgs{Name: "web", Image: "nginx:1.27", Region: "nyc"}},
		{"all flags", "api --image ghcr.io/acme/api:2 --region ams3 --size apps-s-1vcpu-1gb --instances 3 --port 80 --env A=1 --env \"B=two words\"",
			deploy.LaunchArgs{Name: "api", Image: "ghcr.io/acme/api:2", Region: "ams", Sizing: deploy.Sizing{Size: "apps-s-1vcpu-1gb", Instances: 3}, Port: 80, Env: [][2]string{{"A", "1"}, {"B", "two words"}}}},
		{"equals form", "web --image=nginx --port=8080", deploy.LaunchArgs{Name: "web", Image: "nginx", Region: "nyc", Port: 8080}},
		{"scheme dropped", "web --image https://ghcr.io/acme/web:1", deploy.LaunchArgs{Name: "web", Image: "ghcr.io/acme/web:1", Region: "nyc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words, err := cmdline.SplitWords(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			la, err := Parse(words, cfg)
			if err != nil {
				t.Fatalf("Parse(%q) error %v", tt.in, err)
			}
			la.Ref = dobot.ImageRef{}
			if !reflect.DeepEqual(la, tt.want) {
				t.Errorf("Parse(%q) = %+v; want %+v", tt.in, la, tt.want)
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	cfg := Config{Region: "fra1", DefaultImage: "nginx:1.27", DefaultApp: "demo", MaxTTL: 30 * dobot.Day}
	la, err := Parse(nil, cfg)
	if err != nil {
		t.Fatalf("Parse(nil) with defaults error %v", err)
	}
	if la.Name != "demo" || la.Image != "nginx:1.27" || la.Region != "fra" {
		t.Errorf("Parse(nil) = %+v; want demo, nginx:1.27, fra", la)
	}
}

func TestParseErrors(t *testing.T) {
	cfg := Config{Region: "nyc3", MaxTTL: 30 * dobot.Day}
	tests := []struct {
		in, mention string
	}{
		{"", "needs an app name"},
		{"web", "needs an image"},
		{"Web --image nginx", "bad app name"},
		{"a --image nginx", "bad app name"},
		{"web- --image nginx", "bad app name"},
		{"web --image nginx --instances 0", "--instances"},
		{"web --image nginx --instances many", "--instances"},
		{"web --image nginx --port 70000", "--port"},
		{"web --image nginx --env NOEQUALS", "--env"},
		{"web --image nginx --env 1A=b", "--env"},
		{"web --image nginx --region mars1", "unknown region"},
		{"web --image nginx --size BIG", "--size"},
		{"web --image nginx --colour red", "does not know the flag"},
		{"web --image", "needs a value"},
		{"web api --image nginx", "one app name"},
		{"web --image quay.io/x/y", "bad image ref"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			words, err := cmdline.SplitWords(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(words, cfg)
			var ue *reply.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error = %v; want a *UserError", tt.in, err)
			}
			if !strings.Contains(ue.Msg, tt.mention) {
				t.Errorf("Parse(%q) error %q; want it to mention %q", tt.in, ue.Msg, tt.mention)
			}
		})
	}
}

// parseText splits in as the table's parser would, the code block after
// the first line (if any) appended after BlockMark.
func parseText(t *testing.T, in string, cfg Config) (deploy.LaunchArgs, error) {
	t.Helper()
	head, block, hasBlock := strings.Cut(in, "\n")
	words, err := cmdline.SplitWords(head)
	if err != nil {
		t.Fatal(err)
	}
	if hasBlock {
		words = append(words, BlockMark+block)
	}
	return Parse(words, cfg)
}

func TestParseSourceErrors(t *testing.T) {
	cfg := Config{Region: "nyc3", MaxTTL: 30 * dobot.Day}
	for _, tt := range []struct{ in, mention string }{
		{"web --git https://github.com/acme/web --image nginx", "leave it out with --git"},
		{"web --git ftp://example.com/x", "bad --git"},
		{"web --git https://github.com/acme", "bad --git"},
		{"web --git https://github.com/acme/web --spec", "not both"},
		{"web --branch main --image nginx", "go with --git URL"},
		{"web --git https://github.com/acme/web --branch -x", "bad --branch"},
		{"web --git https://github.com/acme/web --dir ../up", "bad --dir"},
		{"web --git https://github.com/acme/web --droplet", "--droplet runs one image"},
		{"web --git https://github.com/acme/web --port 80", "--port does not apply"},
		{"web --git https://github.com/acme/web\nname: web", "goes with --spec, not --git"},
		{"--git https://github.com/acme/web", "needs an app name"},
		{"--spec", "needs the app spec in a code block"},
		{"--spec --branch main\nname: web", "set them on each component"},
		{"web --image nginx\nname: web", "add --spec"},
		{"--spec\nname: web\nservces: []", "servces"},
		{"--spec --size apps-s-1vcpu-1gb\nname: web\nservices:\n- name: web", "set them in the spec"},
		{"--spec\nname: web", "has no services"},
		{"--spec\nname: Web!\nservices:\n- name: web", "bad app name"},
		{"--spec --ttl 5s\nname: web\nservices:\n- name: web", "--ttl takes a duration"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseText(t, tt.in, cfg)
			var ue *reply.UserError
			if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tt.mention) {
				t.Errorf("Parse(%q) error = %v; want a *UserError mentioning %q", tt.in, err, tt.mention)
			}
		})
	}
}

func TestParseGitSource(t *testing.T) {
	cfg := Config{Region: "ams3", MaxTTL: 30 * dobot.Day}
	la, err := parseText(t, "web --git https://github.com/acme/web --branch main --dir /services/api/ --deploy-on-push --ttl 2h", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if la.From == nil || la.From.Git == nil {
		t.Fatalf("Parse = %+v; want a Git source", la)
	}
	g := *la.From.Git
	if g.URL != "https://github.com/acme/web" || g.Branch != "main" || g.Dir != "services/api" || !g.DeployOnPush {
		t.Errorf("Git source = %+v; want the URL, branch main, dir services/api, deploy on push", g)
	}
	if la.Name != "web" || la.Region != "ams" || la.Image != "" || la.TTL != 2*time.Hour {
		t.Errorf("Parse = name %q region %q image %q ttl %s; want web, ams, no image, 2h", la.Name, la.Region, la.Image, la.TTL)
	}
}

func TestParseSpecNamedByTypedName(t *testing.T) {
	// DO_APP_NAME does not name a spec; a typed NAME replaces the spec's.
	cfg := Config{Region: "nyc3", DefaultApp: "demo", MaxTTL: 30 * dobot.Day}
	spec := "\nname: shop\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, repository: nginx}\n  envs:\n  - {key: API_TOKEN, value: t0}\n"
	la, err := parseText(t, "--spec"+spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if la.Name != "shop" || la.From.SpecName != "" || len(la.Notes) != 0 {
		t.Errorf("unnamed spec = name %q, spec name %q, notes %q; want shop and no note", la.Name, la.From.SpecName, la.Notes)
	}
	la, err = parseText(t, "review-1 --spec"+spec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if la.Name != "review-1" || la.From.Spec.Name != "review-1" || la.From.SpecName != "shop" || len(la.Notes) != 1 || !strings.Contains(la.Notes[0], "replaced by review-1") {
		t.Errorf("named spec = name %q, spec %q, spec name %q, notes %q; want review-1 replacing shop, said", la.Name, la.From.Spec.Name, la.From.SpecName, la.Notes)
	}
	if la.From.Spec.Region != "nyc" {
		t.Errorf("spec region = %q; want the settings' nyc", la.From.Spec.Region)
	}
	if typ := la.From.Spec.Services[0].Envs[0].Type; typ != "SECRET" {
		t.Errorf("API_TOKEN sent as %q; want SECRET", typ)
	}
}

func TestParseTTL(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		mention string
	}{
		{"45m", 45 * time.Minute, ""},
		{"2d", 48 * time.Hour, ""},
		{"10s", 10 * time.Second, ""},
		{"9s", 0, "at least 10s"},
		{"soon", 0, `not "soon"`},
		{"8d", 0, "BOT_MAX_TTL caps its lifetime at 7d"},
	} {
		got, err := ParseTTL(tt.in, 7*dobot.Day, "--ttl")
		var ue *reply.UserError
		switch {
		case tt.mention == "" && (err != nil || got != tt.want):
			t.Errorf("ParseTTL(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		case tt.mention != "" && (!errors.As(err, &ue) || !strings.Contains(ue.Msg, tt.mention)):
			t.Errorf("ParseTTL(%q) error = %v; want a *UserError mentioning %q", tt.in, err, tt.mention)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"web --image nginx", "web --image nginx --env A=#b --ttl 2h", "web --git https://github.com/acme/web --branch main",
		"--spec\x00name: web\nservices:\n- name: web", "web --droplet --region nyc3 --image nginx", "a b"} {
		f.Add(s)
	}
	cfg := Config{Region: "nyc3", MaxTTL: 30 * dobot.Day}
	f.Fuzz(func(t *testing.T, text string) {
		head, block, hasBlock := strings.Cut(text, "\x00")
		words, err := cmdline.SplitWords(head)
		if err != nil {
			return
		}
		if hasBlock {
			words = append(words, BlockMark+block)
		}
		if _, err := Parse(words, cfg); err != nil {
			var ue *reply.UserError
			if !errors.As(err, &ue) || ue.Msg == "" {
				t.Fatalf("Parse(%q) error %v is not a user error with a message", text, err)
			}
		}
	})
}

func TestParseImageRef(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		in   string
		want godo.ImageSourceSpec
	}{
		{"nginx", godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "latest"}},
		{"nginx:1.27", godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "1.27"}},
		{"library/nginx", godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "latest"}},
		{"user/repo:tag", godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "user", Repository: "repo", Tag: "tag"}},
		{"docker.io/user/repo:v1", godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "user", Repository: "repo", Tag: "v1"}},
		{"ghcr.io/acme/web:1.2.3", godo.ImageSourceSpec{RegistryType: "GHCR", Registry: "acme", Repository: "web", Tag: "1.2.3"}},
		{"ghcr.io/acme/team/web", godo.ImageSourceSpec{RegistryType: "GHCR", Registry: "acme", Repository: "team/web", Tag: "latest"}},
		{"registry.digitalocean.com/acme/web:1.2.3", godo.ImageSourceSpec{RegistryType: "DOCR", Repository: "web", Tag: "1.2.3"}},
		{"nginx@" + digest, godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Digest: digest}},
		{"ghcr.io/acme/web@" + digest, godo.ImageSourceSpec{RegistryType: "GHCR", Registry: "acme", Repository: "web", Digest: digest}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ref, err := parseImageRef(tt.in)
			if err != nil {
				t.Fatalf("ParseImageRef(%q) error %v", tt.in, err)
			}
			if got := *docloud.ImageSpec(ref); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseImageRef(%q).Spec() = %+v; want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseImageRefErrors(t *testing.T) {
	for _, in := range []string{
		"", "Nginx", "nginx:", "nginx:bad tag", "quay.io/acme/web:1", "a/b/c", "ghcr.io/acme",
		"nginx@sha256:123", "nginx:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"registry.digitalocean.com/acme", "nginx/", "-nginx", "ng--inx_", strings.Repeat("a", 300),
	} {
		t.Run(in, func(t *testing.T) {
			_, err := parseImageRef(in)
			var ue *reply.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseImageRef(%q) error = %v; want a *UserError", in, err)
			}
			if !strings.Contains(ue.Msg, "Examples:") {
				t.Errorf("ParseImageRef(%q) error %q does not show examples", in, ue.Msg)
			}
		})
	}
}

func FuzzImageRef(f *testing.F) {
	for _, s := range []string{"nginx", "nginx:1.27", "ghcr.io/acme/web:1.2.3", "registry.digitalocean.com/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := parseImageRef(s)
		if err != nil {
			return
		}
		again, err := parseImageRef(ref.String())
		if err != nil {
			t.Fatalf("ParseImageRef(%q) ok but its String %q does not parse: %v", s, ref.String(), err)
		}
		if again != ref {
			t.Fatalf("ParseImageRef(%q) = %+v; reparsed %+v", s, ref, again)
		}
		if docloud.ImageSpec(ref).Repository == "" {
			t.Fatalf("ParseImageRef(%q) gave an empty repository", s)
		}
	})
}

// TestDomainRefusalsCannotForgeTokens: the root package's refusals are
// plain text; launch turns them into user errors that quote the input
// as typed (the adapter escapes it) but never let it carry a token.
func TestDomainRefusalsCannotForgeTokens(t *testing.T) {
	const in = "\x1e@U0BAD\x1f<!channel>"
	for name, err := range map[string]error{
		"ValidAppName": validAppName(in),
		"AppRegion":    func() error { _, err := appRegion(in); return err }(),
		"ParseImageRef": func() error {
			_, err := parseImageRef(in)
			return err
		}(),
	} {
		var ue *reply.UserError
		if !errors.As(err, &ue) || strings.ContainsAny(ue.Msg, "\x1d\x1e\x1f") || !strings.Contains(ue.Msg, "<!channel>") {
			t.Errorf("%s(%q) = %v; want a UserError quoting the input without token bytes", name, in, err)
		}
	}
}
