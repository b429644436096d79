package commands

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
)

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
			ref, err := ParseImageRef(tt.in)
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
			_, err := ParseImageRef(in)
			var ue *UserError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseImageRef(%q) error = %v; want a *UserError", in, err)
			}
			if !strings.Contains(ue.Msg, "Examples:") {
				t.Errorf("ParseImageRef(%q) error %q does not show examples", in, ue.Msg)
			}
		})
	}
}

func TestParseLaunch(t *testing.T) {
	cfg := Config{Region: "nyc3"}
	tests := []struct {
		name string
		in   string
		want LaunchArgs
	}{
		{"minimal", "web --image nginx", LaunchArgs{Name: "web", Image: "nginx", Region: "nyc"}},
		{"flags first", "--image nginx:1.27 web", LaunchArgs{Name: "web", Image: "nginx:1.27", Region: "nyc"}},
		{"all flags", "api --image ghcr.io/acme/api:2 --region ams3 --size apps-s-1vcpu-1gb --instances 3 --port 80 --env A=1 --env \"B=two words\"",
			LaunchArgs{Name: "api", Image: "ghcr.io/acme/api:2", Region: "ams", Sizing: deploy.Sizing{Size: "apps-s-1vcpu-1gb", Instances: 3}, Port: 80, Env: [][2]string{{"A", "1"}, {"B", "two words"}}}},
		{"equals form", "web --image=nginx --port=8080", LaunchArgs{Name: "web", Image: "nginx", Region: "nyc", Port: 8080}},
		{"scheme dropped", "web --image https://ghcr.io/acme/web:1", LaunchArgs{Name: "web", Image: "ghcr.io/acme/web:1", Region: "nyc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words, err := cmdline.SplitWords(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseLaunch(words, cfg)
			if err != nil {
				t.Fatalf("parseLaunch(%q) error %v", tt.in, err)
			}
			la := got.(LaunchArgs)
			la.Ref = dobot.ImageRef{}
			if !reflect.DeepEqual(la, tt.want) {
				t.Errorf("parseLaunch(%q) = %+v; want %+v", tt.in, la, tt.want)
			}
		})
	}
}

func TestParseLaunchDefaults(t *testing.T) {
	cfg := Config{Region: "fra1", DefaultImage: "nginx:1.27", DefaultApp: "demo"}
	got, err := parseLaunch(nil, cfg)
	if err != nil {
		t.Fatalf("parseLaunch(nil) with defaults error %v", err)
	}
	la := got.(LaunchArgs)
	if la.Name != "demo" || la.Image != "nginx:1.27" || la.Region != "fra" {
		t.Errorf("parseLaunch(nil) = %+v; want demo, nginx:1.27, fra", la)
	}
}

func TestParseLaunchErrors(t *testing.T) {
	cfg := Config{Region: "nyc3"}
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
			_, err = parseLaunch(words, cfg)
			var ue *UserError
			if !errors.As(err, &ue) {
				t.Fatalf("parseLaunch(%q) error = %v; want a *UserError", tt.in, err)
			}
			if !strings.Contains(ue.Msg, tt.mention) {
				t.Errorf("parseLaunch(%q) error %q; want it to mention %q", tt.in, ue.Msg, tt.mention)
			}
		})
	}
}

func TestTableParse(t *testing.T) {
	table, err := NewTable(standardCommands()...)
	if err != nil {
		t.Fatal(err)
	}
	if cmd, _, err := table.Parse("", Config{}); err != nil || cmd.Name != "help" {
		t.Errorf("Parse(\"\") = %v, %v; want help", cmd, err)
	}
	if _, _, err := table.Parse("frobnicate web", Config{}); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("Parse(frobnicate) error = %v; want unknown command", err)
	}
	if cmd, _, err := table.Parse("STATUS web", Config{}); err != nil || cmd.Name != "status" {
		t.Errorf("Parse(STATUS web) = %v, %v; want status", cmd, err)
	}
}

func TestNewTableRefusesDuplicates(t *testing.T) {
	if _, err := NewTable(helpCommand, helpCommand); err == nil {
		t.Error("NewTable(help, help) succeeded; want a duplicate error")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"launch web --image nginx", `launch "web`, "status", "grant @U1 admin", "launch web --env A=#b", "\u201cx\u201d", "teardown web", "scale web --instances 2", "env set web K=v --secret", "env unset web K", "domains add web example.com --primary", "restart web --component api"} {
		f.Add(s)
	}
	table, err := NewTable(standardCommands()...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, _, err := table.Parse(text, Config{Region: "nyc3"})
		if err != nil {
			var ue *UserError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error %v is not a *UserError", text, err)
			}
			if ue.Msg == "" {
				t.Fatalf("Parse(%q) gave an empty error message", text)
			}
		}
	})
}

func FuzzImageRef(f *testing.F) {
	for _, s := range []string{"nginx", "nginx:1.27", "ghcr.io/acme/web:1.2.3", "registry.digitalocean.com/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseImageRef(s)
		if err != nil {
			return
		}
		again, err := ParseImageRef(ref.String())
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

// FuzzSlackValues feeds Slack payload values (user mentions, button values,
// request ids) to their parsers: they return a value or a user error and
// never panic.
func FuzzSlackValues(f *testing.F) {
	for _, s := range []string{"<@U123|ana>", "<@W1>", "U123", "12", "#12", "-1", "99999999999999999999", "<http://x|y>", ""} {
		f.Add(s)
	}
	parseID := parseRequestID("approve", false)
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := ParseUser(s); err == nil && !dobot.IsUserID(id) {
			t.Fatalf("ParseUser(%q) = %q, not a user id", s, id)
		}
		if _, err := parseID([]string{s}, Config{}); err != nil {
			var ue *UserError
			if !errors.As(err, &ue) {
				t.Fatalf("parse request id %q: %v is not a user error", s, err)
			}
		}
		_ = cmdline.TrimScheme(s)
	})
}

// TestDomainRefusalsCannotForgeTokens: the root package's refusals are
// plain text; the commands turn them into user errors that quote the input
// as typed (the adapter escapes it) but never let it carry a token.
func TestDomainRefusalsCannotForgeTokens(t *testing.T) {
	const in = "\x1e@U0BAD\x1f<!channel>"
	for name, err := range map[string]error{
		"ValidAppName": ValidAppName(in),
		"AppRegion":    func() error { _, err := AppRegion(in); return err }(),
		"ParseImageRef": func() error {
			_, err := ParseImageRef(in)
			return err
		}(),
	} {
		var ue *UserError
		if !errors.As(err, &ue) || strings.ContainsAny(ue.Msg, "\x1d\x1e\x1f") || !strings.Contains(ue.Msg, "<!channel>") {
			t.Errorf("%s(%q) = %v; want a UserError quoting the input without token bytes", name, in, err)
		}
	}
}
