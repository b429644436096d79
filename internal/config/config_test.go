package config

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func valid() map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1-secret",
		"SLACK_APP_TOKEN": "xapp-1-secret",
		"DO_API_TOKEN":    "dop_v1_secret",
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(valid()))
	if err != nil {
		t.Fatalf("Load(valid) error %v", err)
	}
	if c.DORegion != "nyc3" || c.DBPath != "dobot.db" || c.SlackAPIURL != "https://slack.com/api/" ||
		c.DOAPIURL != "https://api.digitalocean.com/" || c.ApprovalTTL != time.Hour || c.HTTPAddr != ":8080" {
		t.Errorf("Load(valid) = %+v; want the documented defaults", c)
	}
}

func TestLoadMaxTTL(t *testing.T) {
	c, err := Load(env(valid()))
	if err != nil || c.MaxTTL != 30*24*time.Hour {
		t.Errorf("Load(valid).MaxTTL = %v, %v; want 30 days by default", c.MaxTTL, err)
	}
	e := valid()
	e["BOT_MAX_TTL"], e["BOT_APPROVAL_TTL"] = "7d", "1d"
	c, err = Load(env(e))
	if err != nil || c.MaxTTL != 7*24*time.Hour || c.ApprovalTTL != 24*time.Hour {
		t.Errorf("Load(BOT_MAX_TTL=7d, BOT_APPROVAL_TTL=1d) = %v, %v, %v; want 7 days and 1 day", c.MaxTTL, c.ApprovalTTL, err)
	}
}

func TestLoadDOTokenFallbacks(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"DO_API_TOKEN wins", map[string]string{"DO_API_TOKEN": "a", "DIGITALOCEAN_TOKEN": "b", "DIGITALOCEAN_ACCESS_TOKEN": "c"}, "a"},
		{"then DIGITALOCEAN_TOKEN", map[string]string{"DIGITALOCEAN_TOKEN": "b", "DIGITALOCEAN_ACCESS_TOKEN": "c"}, "b"},
		{"then DIGITALOCEAN_ACCESS_TOKEN", map[string]string{"DIGITALOCEAN_ACCESS_TOKEN": "c"}, "c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}
			for k, v := range tt.env {
				e[k] = v
			}
			c, err := Load(env(e))
			if err != nil || c.DOToken != tt.want {
				t.Errorf("Load() token = %q, %v; want %q", c.DOToken, err, tt.want)
			}
		})
	}
}

func TestLoadErrorsNameEachVariableAndNoSecret(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{"SLACK_BOT_TOKEN", "xoxp-user-secret", "SLACK_BOT_TOKEN"},
		{"SLACK_APP_TOKEN", "xoxb-wrong-secret", "SLACK_APP_TOKEN"},
		{"DO_API_TOKEN", "has space-secret x", "DO_API_TOKEN"},
		{"DO_REGION", "mars1", "DO_REGION"},
		{"DO_IMAGE", "quay.io/x/y", "DO_IMAGE"},
		{"DO_APP_NAME", "Bad_Name", "DO_APP_NAME"},
		{"DO_DROPLET_IMAGE", "Docker 24 secret", "DO_DROPLET_IMAGE"},
		{"BOT_ADMINS", "U1,ana", "BOT_ADMINS"},
		{"SLACK_API_URL", "ftp://x", "SLACK_API_URL"},
		{"DO_API_URL", "not a url", "DO_API_URL"},
		{"BOT_APPROVAL_TTL", "forever", "BOT_APPROVAL_TTL"},
		{"BOT_AUDIT_CHANNEL", "#audit", "BOT_AUDIT_CHANNEL"},
		{"BOT_HTTP_ADDR", "8080", "BOT_HTTP_ADDR"},
		{"BOT_WATCH_INTERVAL", "1ms", "BOT_WATCH_INTERVAL"},
		{"BOT_LEASE", "100ms", "BOT_LEASE"},
		{"BOT_LEASE", "1h", "BOT_LEASE"},
		{"BOT_LEASE", "soon", "BOT_LEASE"},
		{"BOT_MAX_TTL", "a month", "BOT_MAX_TTL"},
		{"BOT_MAX_TTL", "1s", "BOT_MAX_TTL"},
		{"BOT_AUDIT_KEY", "short-secret", "BOT_AUDIT_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			e := valid()
			e[tt.key] = tt.value
			_, err := Load(env(e))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load(%s=%q) error = %v; want it to name %s", tt.key, tt.value, err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("Load(%s) error leaks a secret: %v", tt.key, err)
			}
		})
	}
}

func TestLoadAllMissingGivesOneLineEach(t *testing.T) {
	_, err := Load(env(map[string]string{}))
	if err == nil {
		t.Fatal("Load(empty) succeeded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Errorf("Load(empty) = %d lines; want one each for the three tokens:\n%v", len(lines), err)
	}
}

func TestLoadLease(t *testing.T) {
	c, err := Load(env(valid()))
	if err != nil || c.Lease != 0 {
		t.Errorf("Load(valid).Lease = %v, %v; want 0 (the default)", c.Lease, err)
	}
	e := valid()
	e["BOT_LEASE"] = "2s"
	if c, err := Load(env(e)); err != nil || c.Lease != 2*time.Second {
		t.Errorf("Load(BOT_LEASE=2s).Lease = %v, %v; want 2s", c.Lease, err)
	}
}

func TestLoadInstance(t *testing.T) {
	c, err := Load(env(valid()))
	if err != nil || !strings.HasSuffix(c.Instance, fmt.Sprintf("-%d", os.Getpid())) {
		t.Errorf("Load(valid).Instance = %q, %v; want hostname-pid by default", c.Instance, err)
	}
	e := valid()
	e["BOT_INSTANCE"] = "web-1"
	if c, err := Load(env(e)); err != nil || c.Instance != "web-1" {
		t.Errorf("Load(BOT_INSTANCE=web-1).Instance = %q, %v; want web-1", c.Instance, err)
	}
	for _, bad := range []string{"two words", "-dash", strings.Repeat("a", 64), "a\nb"} {
		e["BOT_INSTANCE"] = bad
		if _, err := Load(env(e)); err == nil || !strings.Contains(err.Error(), "BOT_INSTANCE") {
			t.Errorf("Load(BOT_INSTANCE=%q) = %v; want an error naming BOT_INSTANCE", bad, err)
		}
	}
}

// TestLoadPostgresURL: a PostgreSQL BOT_DB needs BOT_AUDIT_KEY, and no
// complaint about it ever quotes the URL, which may hold a password.
func TestLoadPostgresURL(t *testing.T) {
	const pw = "hunter2-secret"
	tests := []struct {
		db, key string
		want    string // "" for no error
	}{
		{"postgres://bot:" + pw + "@db:25060/dobot?sslmode=require", strings.Repeat("k", 32), ""},
		{"postgresql://bot:" + pw + "@db/dobot", strings.Repeat("k", 32), ""},
		{"postgres://bot:" + pw + "@db/dobot", "", "BOT_AUDIT_KEY is required"},
		{"postgres://bot:" + pw + "@db:port/dobot", strings.Repeat("k", 32), "BOT_DB is not a valid PostgreSQL URL"},
	}
	for _, tt := range tests {
		e := valid()
		e["BOT_DB"], e["BOT_AUDIT_KEY"] = tt.db, tt.key
		c, err := Load(env(e))
		switch {
		case tt.want == "" && (err != nil || c.DBPath != tt.db):
			t.Errorf("Load(BOT_DB=URL) = %v; want it accepted", err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Load(BOT_DB=URL) = %v; want an error containing %q", err, tt.want)
		case err != nil && strings.Contains(err.Error(), pw):
			t.Errorf("Load(BOT_DB=URL) error shows the password: %v", err)
		}
	}
}
