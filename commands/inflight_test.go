package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
)

// While a launch waits for approval the app is not recorded yet, but its
// name is taken: status, logs and teardown say it is being launched and by
// which request, instead of denying that it exists.
func TestStatusOfAnAppBeingLaunched(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	ctx := context.Background()
	if err := h.db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP", "launch web --image nginx")
	for _, cmd := range []string{"logs web", "teardown web"} {
		out := h.run("UDEP", cmd)
		if !strings.Contains(out, "web is still being launched: request #1") || !strings.Contains(out, "awaiting approval") {
			t.Errorf("%s = %q; want it to name request #1 awaiting approval", cmd, out)
		}
	}
	// status answers with the launch's own status: its id and phase.
	if out := h.run("UDEP", "status web"); !strings.Contains(out, "web waits for approval to launch: request #1, waiting for approval until") {
		t.Errorf("status web = %q; want request #1 waiting for approval", out)
	}
	for _, cmd := range []string{"status", "list"} {
		if out := h.run("UDEP", cmd); !strings.Contains(out, "Being launched (1)") || !strings.Contains(out, "*web* — request #1") {
			t.Errorf("%s = %q; want web's launch, request #1", cmd, out)
		}
	}
	if out := h.run("UDEP", "status api"); !strings.Contains(out, "manages no app named api") {
		t.Errorf("status api = %q; want the plain refusal", out)
	}
}

// A typed decision is confirmed in plain English, and a droplet's card
// does not say it is creating an app.
func TestDecisionRepliesAndDropletCardWording(t *testing.T) {
	h := dropletHarness(t, "")
	h.grant(t, "UAPP", dobot.RoleApprover)
	ctx := context.Background()
	if err := h.db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP", "launch web --image nginx")
	if out := h.run("UAPP", "deny 1 not today"); !strings.Contains(out, "You denied request #1") {
		t.Errorf("deny 1 = %q; want \"You denied request #1\"", out)
	}
	h.run("UDEP", "launch box --droplet --image nginx")
	if out := h.run("UAPP", "approve 2"); !strings.Contains(out, "You approved request #2") {
		t.Errorf("approve 2 = %q; want \"You approved request #2\"", out)
	}
	waitFor(t, "the droplet card", func() bool { return strings.Contains(h.chat.fieldText(), "Creating the droplet") })
	if strings.Contains(h.chat.fieldText(), "Creating the app") {
		t.Errorf("a droplet launch's card says it is creating an app:\n%s", h.chat.fieldText())
	}
}
