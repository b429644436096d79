package access_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"dobot"
	"dobot/access"
	"dobot/internal/storetest"
	"dobot/reply"
	"dobot/store"
)

// rules are a policy table of four actions, two of them costed.
var rules = access.Rules{
	Actions: []string{"launch", "redeploy", "registry-delete", "teardown"},
	Costed:  func(action string) bool { return action == "launch" || action == "redeploy" },
}

func ptr[T any](v T) *T { return &v }

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		in   string
		want access.PolicyArgs
	}{
		{"", access.PolicyArgs{}},
		{"teardown", access.PolicyArgs{Action: "teardown"}},
		{"LAUNCH --approval yes", access.PolicyArgs{Action: "launch", Approval: ptr(true)}},
		{"launch --approval off --app prod-*", access.PolicyArgs{Action: "launch", Approval: ptr(false), Glob: "prod-*"}},
		{"teardown --role approver", access.PolicyArgs{Action: "teardown", Role: ptr(dobot.RoleApprover)}},
		{"launch --approval-above 50", access.PolicyArgs{Action: "launch", ApprovalAbove: ptr(int64(5000))}},
		{"launch --app prod-* --remove", access.PolicyArgs{Action: "launch", Glob: "prod-*", Remove: true}},
	}
	for _, tt := range tests {
		got, err := access.ParsePolicy(strings.Fields(tt.in), rules)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.Changes() != (tt.want.Role != nil || tt.want.Approval != nil || tt.want.ApprovalAbove != nil || tt.want.Remove) {
			t.Errorf("ParsePolicy(%q).Changes() = %v", tt.in, got.Changes())
		}
	}
}

func TestParsePolicyRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"--approval yes", "name the action to change"},
		{"--remove", "name the action to change"},
		{"launch teardown", "policy takes one action"},
		{"deploy --role admin", `unknown action "deploy"; actions with a policy are launch, redeploy, registry-delete, teardown`},
		{"launch --app prod-* --remove --role admin", "it does not take --role"},
		{"launch --approval-above lots", `not "lots"`},
		{"teardown --approval-above 50", "teardown has none"},
		{"launch --role boss", "--role: "},
		{"launch --approval maybe", `--approval takes yes or no, not "maybe"`},
		{"launch --approval yes --app Prod-*", "capital letters"},
		{"launch --nope", "--nope"},
	}
	for _, tt := range tests {
		got, err := access.ParsePolicy(strings.Fields(tt.in), rules)
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want a user error with %q", tt.in, got, err, tt.want)
		}
	}
}

// TestParsePolicyRefusesWhatAHoldCannotHold: an action that runs at once
// takes no approval, and a fleetwide one no --app rule.
func TestParsePolicyRefusesWhatAHoldCannotHold(t *testing.T) {
	holds := access.Rules{Actions: []string{"freeze", "launch", "lock"}, Costed: rules.Costed,
		Immediate: func(action string) bool { return action == "lock" || action == "freeze" },
		Fleetwide: func(action string) bool { return action == "freeze" }}
	for _, tt := range []struct{ in, want string }{
		{"lock --approval yes", "lock runs at once, not as a request a second person approves, so its policy cannot ask for approval"},
		{"freeze --app prod-* --role deployer", "its policy is one rule for every freeze and takes no --app"},
		{"freeze --app prod-* --remove", "takes no --app"},
		{"lock --approval-above 5", "lock has none"},
	} {
		got, err := access.ParsePolicy(strings.Fields(tt.in), holds)
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want a user error with %q", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want access.PolicyArgs
	}{
		{"lock --role admin --approval no", access.PolicyArgs{Action: "lock", Role: ptr(dobot.RoleAdmin), Approval: ptr(false)}},
		{"lock --app prod-* --role admin", access.PolicyArgs{Action: "lock", Glob: "prod-*", Role: ptr(dobot.RoleAdmin)}},
		{"freeze --role deployer", access.PolicyArgs{Action: "freeze", Role: ptr(dobot.RoleDeployer)}},
		{"launch --approval yes --app prod-*", access.PolicyArgs{Action: "launch", Glob: "prod-*", Approval: ptr(true)}},
	} {
		if got, err := access.ParsePolicy(strings.Fields(tt.in), holds); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePolicy(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// desk is an admin over a real store, with the audit rows it recorded.
type desk struct {
	*access.Admin
	db *store.DB
}

func newDesk(t *testing.T) desk {
	t.Helper()
	db := storetest.Open(t)
	builtIn := map[string]dobot.Policy{
		"launch":   {Action: "launch", Role: dobot.RoleDeployer},
		"teardown": {Action: "teardown", Role: dobot.RoleDeployer, NeedsApproval: true},
	}
	def := func(ctx context.Context, action string) (dobot.Policy, error) {
		ps, err := db.Policies(ctx)
		for _, p := range ps {
			if p.Action == action && p.AppGlob == "" {
				return p, err
			}
		}
		return builtIn[action], err
	}
	record := func(ctx context.Context, e dobot.AuditEntry) error { _, err := db.AppendAudit(ctx, e); return err }
	return desk{Admin: access.New(access.Deps{Roles: db, Policies: db, Default: def, Record: record, Rules: access.Rules{Actions: []string{"launch", "teardown"}}}), db: db}
}

func TestPolicySetShowRemove(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	req := access.Request{UserID: "UADMIN", UserName: "ana", Channel: "C1", Text: "policy launch --app prod-* --approval yes"}
	args, err := access.ParsePolicy(strings.Fields(req.Text)[1:], rules)
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Policy(ctx, req, args)
	if want := "Policy for launch on apps matching prod-* is now: needs deployer and approval by a second person (was: needs deployer, no approval)."; err != nil || !strings.Contains(m.Text, want) {
		t.Errorf("set = %q, %v; want %q", m.Text, err, want)
	}
	rows, err := d.db.Audit(ctx, dobot.AuditFilter{Action: "policy.set"})
	if err != nil || len(rows) != 1 || rows[0].UserID != "UADMIN" || rows[0].Target != "launch on apps matching prod-*" ||
		rows[0].Details != "before: needs deployer, no approval; after: needs deployer and approval by a second person" {
		t.Errorf("audit of the change = %+v, %v", rows, err)
	}

	m, err = d.Policy(ctx, req, access.PolicyArgs{})
	for _, want := range []string{"• *launch*: needs deployer, no approval", "for apps matching `prod-*`: needs deployer and approval", "• *teardown*: needs deployer and approval"} {
		if err != nil || !strings.Contains(m.Text, want) {
			t.Errorf("show = %q, %v; want it to contain %q", m.Text, err, want)
		}
	}
	m, _ = d.Policy(ctx, req, access.PolicyArgs{Action: "teardown"})
	if strings.Contains(m.Text, "launch") {
		t.Errorf("show teardown = %q; want teardown only", m.Text)
	}

	remove := access.PolicyArgs{Action: "launch", Glob: "prod-*", Remove: true}
	// Stored command text is masked on every path, removal included.
	typed := req
	typed.Text = "policy launch prod-* --remove API_TOKEN=hunter2"
	m, err = d.Policy(ctx, typed, remove)
	if want := "Removed the rule for launch on apps matching prod-* (it said: needs deployer and approval by a second person). launch now: needs deployer, no approval."; err != nil || !strings.Contains(m.Text, want) {
		t.Errorf("remove = %q, %v; want %q", m.Text, err, want)
	}
	var ue *reply.UserError
	if _, err := d.Policy(ctx, req, remove); !errors.As(err, &ue) || !strings.Contains(err.Error(), "There is no rule for launch on apps matching prod-*") {
		t.Errorf("removing it again = %v; want a user error saying there is none", err)
	}
	rows, err = d.db.Audit(ctx, dobot.AuditFilter{Action: "policy.remove"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("audit of the removals = %+v, %v; want one row", rows, err)
	}
	if strings.Contains(rows[0].CommandText, "hunter2") {
		t.Errorf("the removal's audit row stored %q; want the secret masked", rows[0].CommandText)
	}
}
