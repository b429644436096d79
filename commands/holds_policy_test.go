package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dobot"
)

// Locks and freezes follow policies an admin may change (DECISIONS.md:
// "lock and unlock follow the deployer policy by default … freeze and
// unfreeze are admin by default").

func TestRaisedLockPolicyRefusesADeployerAndPlacesNoLock(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	if got := h.answer("UADM", "policy lock --role admin"); !strings.Contains(got, "Policy for lock is now: needs admin, no approval (was: needs deployer, no approval)") {
		t.Fatalf("raising lock answered %q; want it confirmed", got)
	}
	if got := h.answer("UDEP", "help lock"); !strings.Contains(got, "Needs the admin role") {
		t.Errorf("help lock = %q; want it to show the raised policy", got)
	}
	got := h.answer("UDEP", `lock web --reason "mine"`)
	if !strings.Contains(got, "`lock` needs the admin role") {
		t.Errorf("deployer's lock under an admin policy answered %q; want the admin refusal", got)
	}
	if l, err := h.db.AppLock(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
		t.Errorf("a refused lock left %+v, %v; want no lock", l, err)
	}
	// The refusal writes what every refused command writes: one row.
	rows, err := h.db.Audit(ctx, dobot.AuditFilter{UserID: "UDEP", Action: "lock"})
	if err != nil || len(rows) != 1 || rows[0].Decision != "refused" || rows[0].Outcome != "not permitted" || rows[0].Error != "needs admin, has deployer" {
		t.Errorf("audit of the refused lock = %+v, %v; want one refused row", rows, err)
	}
	h.run("UADM", `lock web --reason "release"`)
	if l, err := h.db.AppLock(ctx, "web"); err != nil || l.Holder != "UADM" {
		t.Errorf("admin's lock = %+v, %v; want it placed", l, err)
	}
}

func TestFreezeLoweredToDeployerLetsADeployerFreeze(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	if got := h.answer("UDEP", `freeze 1h --reason "release"`); !strings.Contains(got, "`freeze` needs the admin role") {
		t.Errorf("deployer's freeze by default answered %q; want the admin refusal", got)
	}
	h.run("UADM", "policy freeze --role deployer")
	h.run("UDEP", `freeze --app 'prod-*' 1h --reason "release 4.2"`)
	fs, err := h.db.Freezes(ctx, time.Now())
	if err != nil || len(fs) != 1 || fs[0].By != "UDEP" || fs[0].Glob != "prod-*" {
		t.Fatalf("freezes after a deployer's freeze = %+v, %v; want theirs\n%s", fs, err, h.plain())
	}
	// unfreeze has its own policy, still admin.
	if got := h.answer("UDEP", "unfreeze --app 'prod-*'"); !strings.Contains(got, "`unfreeze` needs the admin role") {
		t.Errorf("deployer's unfreeze answered %q; want the admin refusal", got)
	}
	if fs, _ := h.db.Freezes(ctx, time.Now()); len(fs) != 1 {
		t.Errorf("a refused unfreeze left freezes %+v; want the one", fs)
	}
}

func TestLockHolderUnlocksWhateverTheUnlockPolicy(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.run("UDEP", `lock web --reason "migration"`)
	if got := h.answer("UADM", "policy unlock --role admin"); !strings.Contains(got, "Policy for unlock is now: needs admin") {
		t.Fatalf("raising unlock answered %q; want it confirmed", got)
	}
	if got := h.answer("UDEP2", "unlock web"); !strings.Contains(got, "`unlock` needs the admin role") {
		t.Errorf("another deployer's unlock answered %q; want the admin refusal", got)
	}
	if _, err := h.db.AppLock(ctx, "web"); err != nil {
		t.Fatalf("a refused unlock lifted the lock: %v", err)
	}
	h.run("UDEP", "unlock web")
	if l, err := h.db.AppLock(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
		t.Errorf("after the holder's unlock the lock is %+v, %v; want it lifted\n%s", l, err, h.plain())
	}
	// Lowering unlock lets no one but an admin lift another's lock.
	h.run("UDEP", `lock web --reason "again"`)
	h.run("UADM", "policy unlock --role viewer")
	if got := h.answer("UVIEW", "unlock web"); !strings.Contains(got, "only they or an admin may unlock it") {
		t.Errorf("viewer's unlock of another's lock answered %q; want the holder-or-admin refusal", got)
	}
	if _, err := h.db.AppLock(ctx, "web"); err != nil {
		t.Errorf("a viewer lifted another's lock: %v", err)
	}
}

func TestPolicyListsTheHoldsAndRefusesWhatTheyCannotHold(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	got := h.answer("UVIEW", "policy")
	for _, want := range []string{"*lock*: needs deployer, no approval", "*unlock*: needs deployer, no approval",
		"*freeze*: needs admin, no approval", "*unfreeze*: needs admin, no approval"} {
		if !strings.Contains(got, want) {
			t.Errorf("policy = %q; want %q", got, want)
		}
	}
	for _, c := range []struct{ text, want string }{
		{"policy lock --approval yes", "lock runs at once, not as a request a second person approves, so its policy cannot ask for approval"},
		{"policy unfreeze --role deployer --approval yes", "unfreeze runs at once"},
		{"policy freeze --app 'prod-*' --role deployer", "its policy is one rule for every freeze and takes no --app"},
		{"policy unfreeze --app 'prod-*' --remove", "takes no --app"},
	} {
		if got := h.answer("UADM", c.text); !strings.Contains(got, c.want) || !strings.Contains(got, "Nothing was changed") {
			t.Errorf("%s answered %q; want %q and nothing changed", c.text, got, c.want)
		}
	}
	if ps, err := h.db.Policies(ctx); err != nil || len(ps) != 0 {
		t.Errorf("policies after the refusals = %+v, %v; want none", ps, err)
	}
	// A rule per app glob does apply to lock.
	h.run("UADM", "policy lock --app 'prod-*' --role admin")
	if got := h.answer("UDEP", `lock prod-web --reason "x"`); !strings.Contains(got, "needs the admin role") {
		t.Errorf("deployer's lock of prod-web answered %q; want the admin refusal", got)
	}
	h.run("UDEP", `lock web --reason "x"`)
	if _, err := h.db.AppLock(ctx, "web"); err != nil {
		t.Errorf("deployer's lock of web, outside prod-*, was not placed: %v", err)
	}
}

// TestLoweredFreezeCannotShortenAnotherPersonsFreeze: with freeze lowered
// to deployer and unfreeze left at admin, a deployer cannot replace an
// admin's freeze in force (which would bring its end forward); they may
// still change their own, and an admin may change anyone's.
func TestLoweredFreezeCannotShortenAnotherPersonsFreeze(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.run("UADM", "policy freeze --role deployer")
	h.run("UADM", `freeze 30d --reason "incident 311"`)
	got := h.answer("UDEP", `freeze 1m --reason "x"`)
	if !strings.Contains(got, "needs the admin role, as unfreeze does") || !strings.Contains(got, "Nothing was changed") {
		t.Errorf("deployer's replacing freeze answered %q; want a refusal naming the unfreeze role", got)
	}
	fs, err := h.db.Freezes(ctx, time.Now())
	if err != nil || len(fs) != 1 || fs[0].By != "UADM" || fs[0].Until.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("freezes after the refused replacement = %+v, %v; want the admin's 30-day freeze unchanged", fs, err)
	}
	h.run("UDEP", `freeze --app 'prod-*' 1h --reason "release"`)
	h.run("UDEP", `freeze --app 'prod-*' 2h --reason "release, longer"`)
	h.run("UADM", `freeze --app 'prod-*' 10m --reason "admin's call"`)
	fs, _ = h.db.Freezes(ctx, time.Now())
	var prod []string
	for _, f := range fs {
		if f.Glob == "prod-*" {
			prod = append(prod, f.By+": "+f.Reason)
		}
	}
	if strings.Join(prod, "|") != "UADM: admin's call" {
		t.Errorf("prod-* freezes = %q; want the deployer's own changed, then the admin's replacement", prod)
	}
}

// TestImmediateActionWithApprovalInTheStoreIsRefused: lock runs at once,
// so /do policy never lets its policy ask for approval; a policy row that
// does anyway (written to the database by hand) refuses the command
// rather than being skipped.
func TestImmediateActionWithApprovalInTheStoreIsRefused(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	if err := h.db.SetPolicy(ctx, dobot.Policy{Action: "lock", Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "UADM"}); err != nil {
		t.Fatal(err)
	}
	got := h.answer("UDEP", `lock web --reason "migration"`)
	if !strings.Contains(got, "asks for approval, but lock runs at once") || !strings.Contains(got, "Nothing was done") {
		t.Errorf("lock under a policy asking for approval answered %q; want a refusal", got)
	}
	if l, err := h.db.AppLock(ctx, "web"); err == nil {
		t.Errorf("the refused lock was placed: %+v", l)
	}
}
