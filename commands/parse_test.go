package commands

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/cmdline"
	"dobot/docloud"
	"dobot/reply"
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
			var ue *reply.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("ParseImageRef(%q) error = %v; want a *reply.UserError", in, err)
			}
			if !strings.Contains(ue.Msg, "Examples:") {
				t.Errorf("ParseImageRef(%q) error %q does not show examples", in, ue.Msg)
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
			var ue *reply.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error %v is not a *reply.UserError", text, err)
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
			var ue *reply.UserError
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
		var ue *reply.UserError
		if !errors.As(err, &ue) || strings.ContainsAny(ue.Msg, "\x1d\x1e\x1f") || !strings.Contains(ue.Msg, "<!channel>") {
			t.Errorf("%s(%q) = %v; want a UserError quoting the input without token bytes", name, in, err)
		}
	}
}
