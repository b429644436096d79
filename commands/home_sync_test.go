package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/commands"
)

// homeCount is how many pages were published for user.
func (v *fakeViews) homeCount(user string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.homes[user])
}

// A change written to the store by anyone (here straight into the
// database, as another replica would) republishes, once, the page of
// those who opened theirs, and only theirs.
func TestHomeRepublishedFromStoreChanges(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "UOTHER", dobot.RoleDeployer)
	ctx := context.Background()

	h.bot.HomeOpened(ctx, "UDEV")
	views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "You have no apps running.") })
	if got, err := h.db.HomeViewers(ctx, time.Hour); err != nil || len(got) != 1 || got[0] != "UDEV" {
		t.Fatalf("HomeViewers() = %q, %v; want [UDEV]: opening the page is recorded in the store", got, err)
	}
	// settled waits until the loop has republished every change so far.
	settled := func() {
		t.Helper()
		waitFor(t, "home pages republished", func() bool {
			c, p, err := h.db.HomeChanges(ctx)
			return err == nil && c == p
		})
	}
	settled()
	before := views.homeCount("UDEV")

	now := time.Now().UTC()
	if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: "r1", Owner: "UDEV", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "*web*") })
	settled()
	if got := views.homeCount("UDEV"); got != before+1 {
		t.Errorf("one change published UDEV's page %d times; want once", got-before)
	}
	if got := views.homeCount("UOTHER"); got != 0 {
		t.Errorf("UOTHER, who never opened the page, got %d pages; want none", got)
	}

	// Progress of a running operation is not a change a page shows.
	op, err := h.db.CreateOperation(ctx, dobot.Operation{Action: "redeploy", App: "web", Requester: "UDEV", Channel: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "redeploy #"+itoa(op.ID)) })
	settled()
	c0, _, _ := h.db.HomeChanges(ctx)
	op.Step, op.DeploymentID = dobot.StepSent, "dep-1"
	if err := h.db.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := h.db.HomeChanges(ctx); c != c0 {
		t.Errorf("a step of an operation counted as a home page change (%d -> %d)", c0, c)
	}
}
