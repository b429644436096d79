package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dobot"
)

// Locks and freezes show on /do ops and on the Home tab, as on status and
// list (issue 15); ops with nothing else to show still shows them.
func TestOpsAndHomeShowLocksAndFreezes(t *testing.T) {
	h := holdsHarness(t)
	if got := h.answer("UVIEW", "ops"); !strings.Contains(got, "nothing is locked or frozen") {
		t.Errorf("ops with nothing held answered %q", got)
	}
	h.run("UDEP2", `lock web --reason "incident 311"`)
	h.run("UADM", `freeze --app 'prod-*' 2h --reason "release week"`)
	ops := h.answer("UVIEW", "ops")
	for _, want := range []string{"Locks and freezes (2)", "web locked by @UDEP2", "incident 311", "prod-*", "release week"} {
		if !strings.Contains(ops, want) {
			t.Errorf("ops = %q; want %q", ops, want)
		}
	}
	if strings.Contains(ops, "nothing is locked") {
		t.Errorf("ops = %q; says nothing is locked", ops)
	}
	page := homeText(h.bot.HomeForTest(context.Background(), "UVIEW", dobot.RoleViewer, nil, nil, time.Now()))
	for _, want := range []string{"== Locks and freezes", "web locked by", "incident 311", "prod-*", "release week"} {
		if !strings.Contains(page, want) {
			t.Errorf("home page =\n%s\nwant %q", page, want)
		}
	}
}
