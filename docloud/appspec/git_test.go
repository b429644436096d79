package appspec_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/docloud/appspec"
	"dobot/internal/dotest"
)

func TestParseGitURL(t *testing.T) {
	tests := []struct {
		in       string
		want     appspec.GitRepo
		wantFail bool
	}{
		{"https://github.com/acme/web", appspec.GitRepo{Kind: "github", Repo: "acme/web"}, false},
		{"github.com/acme/web.git", appspec.GitRepo{Kind: "github", Repo: "acme/web"}, false},
		{"git@github.com:acme/web.git", appspec.GitRepo{Kind: "github", Repo: "acme/web"}, false},
		{"https://gitlab.com/acme/group/site", appspec.GitRepo{Kind: "gitlab", Repo: "acme/group/site"}, false},
		{"https://git.example.com/acme/tool", appspec.GitRepo{Kind: "git", Repo: "https://git.example.com/acme/tool.git"}, false},
		{"https://github.com/acme", appspec.GitRepo{}, true},
		{"https://github.com/acme/web/tree/main", appspec.GitRepo{}, true},
		{"https://user:pw@git.example.com/acme/tool", appspec.GitRepo{}, true},
		{"ftp://git.example.com/acme/tool", appspec.GitRepo{}, true},
		{"", appspec.GitRepo{}, true},
	}
	for _, tt := range tests {
		got, err := appspec.ParseGitURL(tt.in)
		var ge *appspec.GitURLError
		if tt.wantFail {
			if !errors.As(err, &ge) {
				t.Errorf("ParseGitURL(%q) = %v, %v; want a GitURLError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseGitURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestDetectBuildsASpecThatCreates(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	tests := []struct {
		name      string
		src       appspec.GitSource
		fallback  bool
		services  int
		sites     int
		workers   int
		checkSpec func(t *testing.T, spec *godo.AppSpec)
	}{
		{name: "github", src: appspec.GitSource{URL: "https://github.com/acme/web"}, services: 1,
			checkSpec: func(t *testing.T, spec *godo.AppSpec) {
				svc := spec.Services[0]
				if svc.GitHub == nil || svc.GitHub.Repo != "acme/web" || svc.GitHub.DeployOnPush || svc.DockerfilePath != "Dockerfile" || svc.HTTPPort != 8080 {
					t.Errorf("service = %+v %+v; want github acme/web, deploy_on_push off, Dockerfile, port 8080", svc, svc.GitHub)
				}
			}},
		{name: "github deploy on push", src: appspec.GitSource{URL: "github.com/acme/web", Branch: "main", DeployOnPush: true}, services: 1,
			checkSpec: func(t *testing.T, spec *godo.AppSpec) {
				if gh := spec.Services[0].GitHub; !gh.DeployOnPush || gh.Branch != "main" {
					t.Errorf("github source = %+v; want deploy_on_push on main", gh)
				}
			}},
		{name: "gitlab static", src: appspec.GitSource{URL: "https://gitlab.com/acme/site"}, sites: 1,
			checkSpec: func(t *testing.T, spec *godo.AppSpec) {
				if gl := spec.StaticSites[0].GitLab; gl == nil || gl.Repo != "acme/site" {
					t.Errorf("static site source = %+v; want gitlab acme/site", gl)
				}
			}},
		{name: "plain git buildpack", src: appspec.GitSource{URL: "https://git.example.com/acme/tool"}, services: 1,
			checkSpec: func(t *testing.T, spec *godo.AppSpec) {
				svc := spec.Services[0]
				if svc.Git == nil || svc.Git.RepoCloneURL != "https://git.example.com/acme/tool.git" || svc.RunCommand != "bin/tool" || svc.DockerfilePath != "" {
					t.Errorf("service = %+v; want a git source running bin/tool", svc)
				}
			}},
		{name: "monorepo", src: appspec.GitSource{URL: "https://github.com/acme/shop"}, services: 1, sites: 1, workers: 1,
			checkSpec: func(t *testing.T, spec *godo.AppSpec) {
				if spec.Services[0].Name != "api" || spec.Services[0].HTTPPort != 3000 || spec.Services[0].Routes[0].Path != "/" ||
					spec.StaticSites[0].Routes[0].Path != "/site" || spec.Workers[0].SourceDir != "worker" {
					t.Errorf("monorepo spec = %+v %+v %+v; want api on / port 3000, site on /site, worker in worker/",
						spec.Services[0], spec.StaticSites[0], spec.Workers[0])
				}
			}},
		{name: "nothing detected", src: appspec.GitSource{URL: "https://github.com/acme/empty"}, fallback: true, services: 1,
			checkSpec: func(t *testing.T, spec *godo.AppSpec) {
				if spec.Services[0].DockerfilePath != "Dockerfile" {
					t.Errorf("fallback service = %+v; want one built from the Dockerfile", spec.Services[0])
				}
			}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			det, err := appspec.Detect(ctx, client.Apps, tt.src)
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if det.Fallback != tt.fallback || (det.Fallback && !strings.Contains(det.Note, "Dockerfile")) {
				t.Errorf("Detect fallback = %v %q; want %v with a note naming the Dockerfile", det.Fallback, det.Note, tt.fallback)
			}
			name := "app-" + string(rune('a'+i))
			spec := appspec.BuildGitSpec(name, "ams", tt.src, det)
			if len(spec.Services) != tt.services || len(spec.StaticSites) != tt.sites || len(spec.Workers) != tt.workers {
				t.Fatalf("spec has %d services, %d sites, %d workers; want %d, %d, %d",
					len(spec.Services), len(spec.StaticSites), len(spec.Workers), tt.services, tt.sites, tt.workers)
			}
			tt.checkSpec(t, spec)
			if _, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: spec}); err != nil {
				t.Errorf("create from the built spec: %v", err)
			}
		})
	}
}

func TestDetectPrivateRepo(t *testing.T) {
	srv, client := newCloud(t, dotest.Options{})
	ctx := context.Background()
	for _, url := range []string{"https://github.com/acme/private", "https://github.com/acme/unknown", "https://gitlab.com/acme/private-site"} {
		_, err := appspec.Detect(ctx, client.Apps, appspec.GitSource{URL: url})
		var acc *appspec.RepoAccessError
		if !errors.As(err, &acc) || !strings.Contains(acc.Error(), "Connect GitHub") || acc.RequestID == "" {
			t.Errorf("Detect(%s) = %v; want a RepoAccessError telling to connect GitHub, with the request id", url, err)
		}
	}
	srv.DisconnectGitHub(true)
	_, err := appspec.Detect(ctx, client.Apps, appspec.GitSource{URL: "https://github.com/acme/web"})
	var acc *appspec.RepoAccessError
	if !errors.As(err, &acc) || acc.Message != "GitHub user not authenticated" {
		t.Errorf("Detect with GitHub not connected = %v; want DigitalOcean's \"GitHub user not authenticated\"", err)
	}
}

func TestParseSpec(t *testing.T) {
	yamlSpec := "name: web\nregion: ams\nservices:\n- name: web\n  image:\n    registry_type: GHCR\n    registry: acme\n    repository: web\n    tag: \"1.2.3\"\n  instance_count: 2\n"
	tests := []struct {
		name, in, wantErr string
	}{
		{"yaml", yamlSpec, ""},
		{"fenced yaml", "```yaml\n" + yamlSpec + "```", ""},
		{"fenced in a message", "here it is:\n```\n" + yamlSpec + "```\nthanks", ""},
		{"json", `{"name":"web","region":"ams","services":[{"name":"web","instance_count":2,"image":{"registry_type":"GHCR","registry":"acme","repository":"web","tag":"1.2.3"}}]}`, ""},
		{"deploy template", "spec:\n" + indent(yamlSpec), ""},
		{"typo", "name: web\nservces: []\n", `unknown field "servces"`},
		{"wrong type", "name: web\nservices:\n- name: web\n  instance_count: two\n", "instance_count"},
		{"no name", "region: ams\n", "no name"},
		{"empty", "```\n```", "empty"},
		{"not yaml", "name: [web\n", "neither JSON nor YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := appspec.ParseSpec(tt.in)
			if tt.wantErr != "" {
				var se *appspec.SpecError
				if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSpec = %v; want a SpecError mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSpec: %v", err)
			}
			if spec.Name != "web" || len(spec.Services) != 1 || spec.Services[0].InstanceCount != 2 || spec.Services[0].Image.Tag != "1.2.3" {
				t.Errorf("ParseSpec = %+v; want web with one service of 2 instances on tag 1.2.3", spec)
			}
		})
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}

func FuzzParseSpec(f *testing.F) {
	f.Add("name: web\nservices:\n- name: web\n")
	f.Add("```json\n{\"name\":\"web\"}\n```")
	f.Add("spec:\n  name: x\n")
	f.Fuzz(func(t *testing.T, in string) {
		spec, err := appspec.ParseSpec(in)
		if err == nil && (spec == nil || spec.Name == "") {
			t.Fatalf("ParseSpec(%q) = %+v with no error and no name", in, spec)
		}
	})
}

// newCloud starts a strict DigitalOcean test server and a godo client for it.
func newCloud(t *testing.T, opts dotest.Options) (*dotest.Server, *godo.Client) {
	t.Helper()
	srv := dotest.New(t, opts)
	return srv, srv.Client(t, "")
}

// When detection itself fails, the launch falls back to the Dockerfile and
// says why.
func TestDetectFallsBackWhenDetectionFails(t *testing.T) {
	srv, client := newCloud(t, dotest.Options{})
	srv.Fault("POST /v2/apps/detect", 500, 1)
	det, err := appspec.Detect(context.Background(), client.Apps, appspec.GitSource{URL: "https://github.com/acme/web"})
	if err != nil || !det.Fallback || !strings.Contains(det.Note, "could not detect") || !strings.Contains(det.Note, "Dockerfile") {
		t.Fatalf("Detect with detection failing = %+v, %v; want the Dockerfile fallback saying why", det, err)
	}
	spec := appspec.BuildGitSpec("web", "ams", appspec.GitSource{URL: "https://github.com/acme/web"}, det)
	if len(spec.Services) != 1 || spec.Services[0].DockerfilePath != "Dockerfile" || spec.Services[0].GitHub.Repo != "acme/web" {
		t.Errorf("fallback spec = %+v; want one service from acme/web's Dockerfile", spec.Services[0])
	}
}

func FuzzParseGitURL(f *testing.F) {
	for _, s := range []string{"https://github.com/acme/web", "git@github.com:a/b.git", "gitlab.com/a/b/c", "https://x.example/a/b", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := appspec.ParseGitURL(in)
		if err != nil {
			return
		}
		switch r.Kind {
		case "github", "gitlab":
			if !strings.Contains(r.Repo, "/") || strings.Contains(r.Repo, "://") {
				t.Fatalf("ParseGitURL(%q) = %+v; want owner/name", in, r)
			}
		case "git":
			if !strings.HasPrefix(r.Repo, "https://") || !strings.HasSuffix(r.Repo, ".git") {
				t.Fatalf("ParseGitURL(%q) = %+v; want an https clone URL", in, r)
			}
		default:
			t.Fatalf("ParseGitURL(%q) = %+v; unknown kind", in, r)
		}
	})
}

// A pasted spec naming a repository DigitalOcean cannot read is refused by
// propose with the same clear message as detect.
func TestProposePrivateRepo(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	spec := &godo.AppSpec{Name: "web", Services: []*godo.AppServiceSpec{{Name: "web", GitHub: &godo.GitHubSourceSpec{Repo: "acme/private"}}}}
	_, err := appspec.Propose(context.Background(), client.Apps, &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes}, spec, "")
	var acc *appspec.RepoAccessError
	if !errors.As(err, &acc) || acc.URL != "github.com/acme/private" {
		t.Errorf("Propose of a private repo = %v; want a RepoAccessError naming github.com/acme/private", err)
	}
}
