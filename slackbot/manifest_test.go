package slackbot

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v4"
)

// The manifest turns on what the adapter serves (issue 13): the Home tab
// with its app_home_opened event, interactivity for buttons and views
// (submissions and closes arrive through it), Socket Mode, and the scopes
// the adapter calls with.
func TestManifestEnablesHomeTabAndViews(t *testing.T) {
	raw, err := os.ReadFile("../slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				HomeTab     bool `yaml:"home_tab_enabled"`
				MessagesTab bool `yaml:"messages_tab_enabled"`
			} `yaml:"app_home"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if !m.Features.AppHome.HomeTab || !m.Features.AppHome.MessagesTab {
		t.Errorf("app_home = %+v; want the Home and Messages tabs enabled", m.Features.AppHome)
	}
	if !slices.Contains(m.Settings.Events.Bot, "app_home_opened") {
		t.Errorf("bot_events = %v; want app_home_opened", m.Settings.Events.Bot)
	}
	if !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode {
		t.Errorf("settings = %+v; want interactivity and Socket Mode on", m.Settings)
	}
	for _, s := range []string{"commands", "chat:write", "files:write", "im:write"} {
		if !slices.Contains(m.OAuth.Scopes.Bot, s) {
			t.Errorf("bot scopes = %v; want %s", m.OAuth.Scopes.Bot, s)
		}
	}
}
