package dobot_test

import (
	"errors"
	"strings"
	"testing"

	"dobot"
)

func TestAppRegion(t *testing.T) {
	tests := []struct{ in, want string }{{"nyc3", "nyc"}, {"NYC1", "nyc"}, {"fra", "fra"}, {"ams3", "ams"}}
	for _, tt := range tests {
		if got, err := dobot.AppRegion(tt.in); err != nil || got != tt.want {
			t.Errorf("AppRegion(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "xyz1", "nyc33", "<@U1>"} {
		_, err := dobot.AppRegion(in)
		var ue *dobot.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "App Platform runs in ams, atl,") {
			t.Errorf("AppRegion(%q) error = %v; want a user error listing the regions", in, err)
		}
	}
}

// TestUserErrorsArePlainText: a domain rule quotes what was typed as it
// was typed; escaping it for a medium is the adapter's job.
func TestUserErrorsArePlainText(t *testing.T) {
	err := dobot.ValidAppName("<!channel>")
	if err == nil || !strings.Contains(err.Error(), `"<!channel>"`) {
		t.Errorf("ValidAppName(<!channel>) = %v; want the name quoted as typed", err)
	}
	_, err = dobot.ParseImageRef("a&b")
	if err == nil || !strings.Contains(err.Error(), `"a&b"`) {
		t.Errorf("ParseImageRef(a&b) = %v; want the ref quoted as typed", err)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"IsAppName", dobot.IsAppName, "web", true},
		{"IsAppName", dobot.IsAppName, "api-2", true},
		{"IsAppName", dobot.IsAppName, "w", false},
		{"IsAppName", dobot.IsAppName, "web-", false},
		{"IsAppName", dobot.IsAppName, "2web", false},
		{"IsUserID", dobot.IsUserID, "U0123ABCD", true},
		{"IsUserID", dobot.IsUserID, "W012", true},
		{"IsUserID", dobot.IsUserID, "U1", false},
		{"IsUserID", dobot.IsUserID, "u0123", false},
		{"IsUserID", dobot.IsUserID, "<@U0123>", false},
		{"IsRegionSlug", dobot.IsRegionSlug, "nyc", true},
		{"IsRegionSlug", dobot.IsRegionSlug, "nyc3", true},
		{"IsRegionSlug", dobot.IsRegionSlug, "ny", false},
		{"IsDropletRegion", dobot.IsDropletRegion, "nyc3", true},
		{"IsDropletRegion", dobot.IsDropletRegion, "nyc", false},
		{"IsRepoPath", dobot.IsRepoPath, "acme/web", true},
		{"IsRepoPath", dobot.IsRepoPath, "acme//web", false},
		{"IsRepoPath", dobot.IsRepoPath, "Acme", false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestParseImageRefForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nginx", "docker.io/library/nginx:latest"},
		{"acme/web:1.2", "docker.io/acme/web:1.2"},
		{"ghcr.io/acme/team/web:1", "ghcr.io/acme/team/web:1"},
		{"registry.digitalocean.com/acme/web@sha256:" + strings.Repeat("a", 64), "registry.digitalocean.com/acme/web@sha256:" + strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		ref, err := dobot.ParseImageRef(tt.in)
		if err != nil || ref.String() != tt.want {
			t.Errorf("ParseImageRef(%q) = %q, %v; want %q", tt.in, ref.String(), err, tt.want)
		}
	}
	for _, in := range []string{"", "quay.io/acme/web", "ghcr.io/acme", "nginx:1@sha256:" + strings.Repeat("a", 64)} {
		var ue *dobot.UserError
		if _, err := dobot.ParseImageRef(in); !errors.As(err, &ue) {
			t.Errorf("ParseImageRef(%q) error = %v; want a *dobot.UserError", in, err)
		}
	}
}
