package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
)

// Two instances of a single-instance size are refused before the approval
// card and before any DigitalOcean write, naming sizes that allow more; the
// default size, apps-s-1vcpu-0.5gb, is one of them.
func TestLaunchRefusesInstancesOnSingleInstanceSize(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	if err := h.db.SetPolicy(context.Background(), dobot.Policy{Action: "launch", Role: dobot.RoleDeployer, NeedsApproval: true}); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"launch web --image nginx --instances 2", "launch web --image nginx --size apps-s-1vcpu-1gb-fixed --instances 3"} {
		out := h.run("UDEP", cmd)
		if !strings.Contains(out, "one instance only") || !strings.Contains(out, "apps-s-1vcpu-1gb") || strings.Contains(out, "apps-d-1vcpu-0.5gb (") {
			t.Errorf("%s = %q; want a refusal naming scalable sizes that are not being retired", cmd, out)
		}
	}
	if strings.Contains(h.run("UDEP", "launch web --image nginx --instances 2"), "default size, apps-s-1vcpu-0.5gb") == false {
		t.Errorf("the refusal does not say the default size is the single-instance one")
	}
	for _, s := range h.chat.sent {
		if s.Kind == "post" {
			t.Errorf("a card was posted for a refused launch: %+v", s.Msg)
		}
	}
	for _, r := range h.do.Requests() {
		if r.Method != "GET" {
			t.Errorf("refused launch sent %s %s", r.Method, r.Path)
		}
	}
}

// A size DigitalOcean intends to retire launches with a warning on the card.
func TestLaunchWarnsOnDeprecatedSize(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch web --image nginx --size apps-d-1vcpu-0.5gb --dry-run")
	h.run("UDEP", "launch web --image nginx --size apps-d-1vcpu-0.5gb")
	found := false
	h.chat.mu.Lock()
	for _, s := range h.chat.sent {
		for _, f := range s.Msg.Fields {
			if strings.Contains(f.Value, "intends to retire size apps-d-1vcpu-0.5gb") {
				found = true
			}
		}
	}
	h.chat.mu.Unlock()
	if !found {
		t.Errorf("no card warned that apps-d-1vcpu-0.5gb is being retired: %+v", h.chat.sent)
	}
}

// An unknown size is refused with the sizes there are, before any write.
func TestLaunchRefusesUnknownSize(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	tests := []struct{ cmd, want string }{
		{"launch web --image nginx --size apps-nope", "App Platform has no instance size \"apps-nope\". Sizes: apps-s-1vcpu-0.5gb"},
		{"launch web --image nginx --droplet --size s-nope", "DigitalOcean has no droplet size \"s-nope\". Sizes: "},
	}
	for _, tt := range tests {
		if out := h.run("UDEP", tt.cmd); !strings.Contains(out, tt.want) {
			t.Errorf("%s = %q; want it to contain %q", tt.cmd, out, tt.want)
		}
	}
	for _, r := range h.do.Requests() {
		if r.Method != "GET" {
			t.Errorf("refused launch sent %s %s", r.Method, r.Path)
		}
	}
}
