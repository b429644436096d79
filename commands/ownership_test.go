package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dobot"
)

// TestExtendNeedsOwnerOrApproverAndStopsAtTheCap: another deployer may not
// keep someone's app alive, and nobody may push it past BOT_MAX_TTL (30
// days by default) from its launch.
func TestExtendNeedsOwnerOrApproverAndStopsAtTheCap(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UOWNER", dobot.RoleDeployer)
	h.grant(t, "UOTHER", dobot.RoleDeployer)
	h.grant(t, "UAPP", dobot.RoleApprover)
	now := time.Now().UTC()
	launched, expires := now.Add(-29*24*time.Hour), now.Add(12*time.Hour)
	if err := h.db.PutApp(ctx, dobot.App{
		Name:       "demo",
		Kind:       "app",
		ResourceID: "00000000-0000-4000-8000-000000000001",
		Owner:      "UOWNER",
		CreatedAt:  launched,
		Expiry:     dobot.Expiry{ExpiresAt: expires},
	}); err != nil {
		t.Fatal(err)
	}
	expiry := func() time.Time {
		app, err := h.db.App(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		return app.ExpiresAt
	}

	if answer := h.run("UOTHER", "extend demo 1h"); !strings.Contains(answer, "Only <@UOWNER>") {
		t.Errorf("another deployer extending: %q; want refused, naming the owner", answer)
	}
	if !expiry().Equal(expires) {
		t.Errorf("a refused extend changed the expiry to %v", expiry())
	}
	if answer := h.run("UOWNER", "extend demo 1d"); !strings.Contains(answer, "BOT_MAX_TTL") || !strings.Contains(answer, "30d") {
		t.Errorf("extending past 30 days from launch: %q; want refused naming BOT_MAX_TTL and 30d", answer)
	}
	if !expiry().Equal(expires) {
		t.Errorf("an extend past the cap changed the expiry to %v", expiry())
	}
	h.run("UOWNER", "extend demo 6h")
	if got := expiry(); !got.Equal(expires.Add(6 * time.Hour)) {
		t.Errorf("owner's extend by 6h: expiry %v; want %v", got, expires.Add(6*time.Hour))
	}
	h.run("UAPP", "extend demo 5h")
	if got := expiry(); !got.Equal(expires.Add(11 * time.Hour)) {
		t.Errorf("approver's extend by 5h: expiry %v; want %v", got, expires.Add(11*time.Hour))
	}
	if answer := h.run("UAPP", "extend demo 2h"); !strings.Contains(answer, "BOT_MAX_TTL") {
		t.Errorf("approver extending past the cap: %q; want refused", answer)
	}
	// --ttl itself is capped, and days are understood.
	if answer := h.run("UOWNER", "launch later --image nginx --ttl 31d"); !strings.Contains(answer, "BOT_MAX_TTL") {
		t.Errorf("launch --ttl 31d: %q; want refused naming BOT_MAX_TTL", answer)
	}
	h.run("UOWNER", "launch later --image nginx --ttl 2d")
	if rows, err := h.db.Audit(ctx, dobot.AuditFilter{Action: "launch", Target: "later"}); err != nil || len(rows) == 0 || rows[len(rows)-1].Decision != "allowed" {
		t.Errorf("launch --ttl 2d: audit %+v, %v; want it accepted", rows, err)
	}
}

// TestRevokedRequesterMayWithdrawTheirRequest: losing one's role must not
// stop one from taking back what one asked for, and only that.
func TestRevokedRequesterMayWithdrawTheirRequest(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	live := h.manageApp(t, "web", "nginx") // teardown refuses an app DigitalOcean lacks
	if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: live.ID, Owner: "UDEP"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP", "teardown web")
	req, err := h.db.ActiveOperation(ctx, "web")
	if err != nil || req.State != dobot.OpAwaitingApproval {
		t.Fatalf("teardown request = %+v, %v; want it waiting for approval", req, err)
	}
	h.run("UADMIN", "revoke @UDEP")
	if role, _ := h.db.Role(ctx, "UDEP"); role != dobot.RoleNone {
		t.Fatalf("UDEP still has role %v", role)
	}

	if answer := h.run("UNOBODY", "cancel 1"); !strings.Contains(answer, "needs the viewer role") {
		t.Errorf("a stranger cancelling someone's request: %q; want refused", answer)
	}
	answer := h.run("UDEP", "cancel 1")
	if op, err := h.db.Operation(ctx, req.ID); err != nil || op.State != dobot.OpCanceled {
		t.Fatalf("revoked requester withdrawing: answer %q, request %+v, %v; want it withdrawn", answer, op, err)
	}
	rows, err := h.db.Audit(ctx, dobot.AuditFilter{Action: "approval.withdrawn"})
	if err != nil || len(rows) != 1 || rows[0].UserID != "UDEP" {
		t.Errorf("audit of the withdrawal = %+v, %v; want one row by UDEP", rows, err)
	}
	if answer := h.run("UDEP", "cancel 1"); !strings.Contains(answer, "needs the viewer role") {
		t.Errorf("cancelling again without a role: %q; want the usual refusal", answer)
	}
}
