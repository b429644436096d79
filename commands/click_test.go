package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
)

// click presses a button as user and returns the private answer.
func (h *harness) click(user, actionID, value string) string {
	h.bot.HandleClick(context.Background(), commands.Click{Ref: "test", UserID: user, UserName: strings.ToLower(user),
		ChannelID: "C1", MessageTS: "1.1", ActionID: actionID, Value: value})
	return h.chat.lastEphemeral(user)
}

// TestButtonIsACommand: a button runs its command through the same
// authorisation and audit as typing it.
func TestButtonIsACommand(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UVIEW", dobot.RoleViewer)
	h.grant(t, "UDEPLOY", dobot.RoleDeployer)

	got := h.click("UVIEW", "ttl_extend", "web")
	if !strings.Contains(got, "Only a deployer, approver or admin may use the Extend button") {
		t.Errorf("viewer's Extend click answered %q; want the command's refusal", got)
	}
	rows, err := h.db.Audit(ctx, dobot.AuditFilter{Action: "extend"})
	if err != nil || len(rows) != 1 || rows[0].Decision != "refused" || rows[0].CommandText != "(button)" {
		t.Errorf("extend audit rows = %+v, %v; want one refusal of the button", rows, err)
	}

	// Destroy now is a teardown: the same checks as typing it.
	got = h.click("UDEPLOY", "ttl_destroy", "web")
	if !strings.Contains(got, "manages no app named web") {
		t.Errorf("Destroy now on an unknown app answered %q; want teardown's refusal", got)
	}
	if got := h.click("UDEPLOY", "ttl_destroy", "Bad Name!"); got == "" {
		t.Errorf("Destroy now with a bad value answered %q; want a refusal", got)
	}
	rows, err = h.db.Audit(ctx, dobot.AuditFilter{Action: "teardown"})
	if err != nil || len(rows) < 2 {
		t.Errorf("teardown audit rows = %+v, %v; want the button's teardown audited", rows, err)
	}

	// A viewer's Approve is refused as a decision, before any request is
	// looked at.
	got = h.click("UVIEW", "approve", "7")
	if !strings.Contains(got, "Only an approver or admin may use the Approve button") {
		t.Errorf("viewer's Approve click answered %q; want the approver refusal", got)
	}
	rows, err = h.db.Audit(ctx, dobot.AuditFilter{Action: "approval.decision"})
	if err != nil || len(rows) != 1 || rows[0].Decision != "refused" {
		t.Errorf("approval.decision rows = %+v, %v; want one refusal", rows, err)
	}
}
