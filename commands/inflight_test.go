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
	for _, cmd := range []string{"status web", "logs web", "teardown web"} {
		out := h.run("UDEP", cmd)
		if !strings.Contains(out, "web is still being launched: launch #1") || !strings.Contains(out, "awaiting approval") {
			t.Errorf("%s = %q; want it to name launch #1 awaiting approval", cmd, out)
		}
	}
	if out := h.run("UDEP", "status api"); !strings.Contains(out, "manages no app named api") {
		t.Errorf("status api = %q; want the plain refusal", out)
	}
}
