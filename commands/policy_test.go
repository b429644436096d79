package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
)

// TestStrictestMatchingPolicyWins sets rules that all match prod-test-db:
// the strictest role and any approval must apply, however long each glob.
func TestStrictestMatchingPolicyWins(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	for _, p := range []dobot.Policy{
		{Action: "launch", AppGlob: "prod-*", Role: dobot.RoleAdmin},
		{Action: "launch", AppGlob: "*-test-*", Role: dobot.RoleDeployer},
		{Action: "launch", AppGlob: "prod-test-db", Role: dobot.RoleDeployer},
		{Action: "launch", AppGlob: "*-db", Role: dobot.RoleViewer, NeedsApproval: true},
	} {
		if err := h.db.SetPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if answer := h.run("UDEP", "launch prod-test-db --image nginx"); !strings.Contains(answer, "needs the admin role") {
		t.Errorf("deployer launching prod-test-db: %q; want refused, prod-* needs admin", answer)
	}
	h.run("UADMIN", "launch prod-test-db --image nginx")
	op, err := h.db.Operation(ctx, 1)
	if err != nil || op.State != dobot.OpAwaitingApproval {
		t.Errorf("admin launching prod-test-db: operation %+v, %v; want it waiting for approval, as *-db asks", op, err)
	}
	// An app only the lenient rule matches keeps the default.
	h.run("UDEP", "launch dev-test-web --image nginx")
	if op, err := h.db.Operation(ctx, 2); err != nil || op.State == dobot.OpAwaitingApproval {
		t.Errorf("deployer launching dev-test-web: operation %+v, %v; want it running without approval", op, err)
	}
}

func TestPolicyRemove(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	h.grant(t, "UAPP", dobot.RoleApprover)
	h.run("UADMIN", "policy launch --app 'prod-*' --role admin")

	if answer := h.run("UAPP", "policy launch --app 'prod-*' --remove"); !strings.Contains(answer, "needs the admin role") {
		t.Errorf("approver removing a rule: %q; want refused", answer)
	}
	if answer := h.run("UADMIN", "policy launch --app 'staging-*' --remove"); !strings.Contains(answer, "no rule for launch on apps matching staging-*") {
		t.Errorf("removing a rule that is not there: %q; want a clear refusal", answer)
	}
	if answer := h.run("UADMIN", "policy launch --app 'prod-*' --remove --role admin"); !strings.Contains(answer, "does not take --role") {
		t.Errorf("--remove with --role: %q; want refused", answer)
	}
	answer := h.run("UADMIN", "policy launch --app 'prod-*' --remove")
	if !strings.Contains(answer, "Removed the rule for launch on apps matching prod-*") {
		t.Errorf("removing prod-*: %q; want it confirmed", answer)
	}
	ps, err := h.db.Policies(ctx)
	if err != nil || len(ps) != 0 {
		t.Errorf("policies after the removal = %+v, %v; want none", ps, err)
	}
	rows, err := h.db.Audit(ctx, dobot.AuditFilter{Action: "policy.remove"})
	if err != nil || len(rows) != 1 || rows[0].UserID != "UADMIN" || !strings.Contains(rows[0].Details, "needs admin") {
		t.Errorf("audit of the removal = %+v, %v; want one row by UADMIN naming the old rule", rows, err)
	}
}

func TestPolicyGlobsMustBeAbleToMatchAnApp(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	for _, c := range []struct {
		glob string
		want string // in the answer; "" means accepted
	}{
		{"prod-*", ""},
		{"*-test-*", ""},
		{"web", ""},
		{"?", "can never match"}, // names have two characters at least
		{"a?", ""},
		{"*", ""},
		{"Prod-*", "capital letters"},
		{"prod *", "contains \" \""},
		{"team/web", "contains \"/\""},
		{"[a-z]*", "contains \"[\""},
		{"prod-", "can never match"},
		{"-*", "can never match"},
		{"1*", "can never match"},
		{"*-", "can never match"},
		{"a" + strings.Repeat("b", 32), "can never match"},
		{"a*" + strings.Repeat("?", 32), "can never match"},
		{"a*" + strings.Repeat("?", 31), ""},
	} {
		answer := h.run("UADMIN", "policy teardown --role admin --app '"+c.glob+"'")
		ok := strings.Contains(answer, "Policy for teardown on apps matching")
		switch {
		case c.want == "" && !ok:
			t.Errorf("glob %q: %q; want accepted", c.glob, answer)
		case c.want != "" && (ok || !strings.Contains(answer, c.want)):
			t.Errorf("glob %q: %q; want refused with %q", c.glob, answer, c.want)
		}
	}
	ps, _ := h.db.Policies(ctx)
	for _, p := range ps {
		if strings.ToLower(p.AppGlob) != p.AppGlob || strings.ContainsAny(p.AppGlob, " /[") {
			t.Errorf("stored a glob that can never match: %q", p.AppGlob)
		}
	}
}
