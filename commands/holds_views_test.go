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

// Breaking the glass over another admin's freeze and a deployer's lock
// mentions both of them in the card's thread, and the audit names them.
func TestBreakGlassMentionsTheFreezesCreatorAndTheLocksHolder(t *testing.T) {
	h := holdsHarness(t)
	h.grant(t, "UADM2", dobot.RoleAdmin)
	h.live(t, "prod-web")
	h.run("UADM2", `freeze --app 'prod-*' 2h --reason "incident 311"`)
	h.run("UDEP2", `lock prod-web --reason "db migration"`)
	h.run("UADM", `redeploy prod-web --break-glass "hotfix"`)
	h.waitIdle(t, "prod-web")
	note := ""
	for _, line := range strings.Split(h.plain(), "\n") {
		if strings.Contains(line, "Break-glass: @UADM runs redeploy prod-web") {
			note = line
		}
	}
	if !strings.Contains(note, "@UDEP2, @UADM2, for your information") || !strings.Contains(note, "hotfix") {
		t.Errorf("break-glass note = %q; want the lock's holder and the freeze's creator mentioned, and the reason", note)
	}
	rows, err := h.db.Audit(context.Background(), dobot.AuditFilter{Action: "break-glass"})
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Details, "freeze_by=UADM2") || !strings.Contains(rows[0].Details, "UDEP2") {
		t.Errorf("break-glass audit rows = %+v, %v; want one naming the freeze's creator and the lock's holder", rows, err)
	}
}

// --branch and --dir reach the created spec: the component builds from
// that branch and that directory of the repository; a branch the
// repository lacks is refused by DigitalOcean and nothing is created.
func TestLaunchFromGitWithBranchAndDir(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	if got := h.answer("UDEP", "launch web --git https://github.com/acme/web --branch release"); !strings.Contains(got, `branch "release" not found`) || !strings.Contains(got, "nothing was created") {
		t.Errorf("a missing branch answered %q", got)
	}
	if got := h.answer("UDEP", "launch web2 --git https://github.com/acme/web --dir ../etc"); !strings.Contains(got, "bad --dir") {
		t.Errorf("--dir outside the repository answered %q", got)
	}
	if n := h.do.Count("POST /v2/apps"); n != 0 {
		t.Fatalf("%d apps created by refused launches", n)
	}
	h.run("UDEP", "launch api --git https://github.com/acme/shop --branch main --dir /api/")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	spec := h.createdSpec(t)
	if len(spec.Services) != 1 || spec.Services[0].GitHub == nil || spec.Services[0].GitHub.Branch != "main" || spec.Services[0].SourceDir != "api" {
		t.Errorf("created services = %+v; want one GitHub service on branch main in api", spec.Services)
	}
}
