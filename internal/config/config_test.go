package config

import (
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
