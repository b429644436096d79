package access_test

import (
	"testing"

	"dobot"
	"dobot/access"
)

func TestEffective(t *testing.T) {
	builtin := dobot.Policy{Action: "launch", Role: dobot.RoleDeployer}
	stored := []dobot.Policy{
		{Action: "launch", AppGlob: "prod-*", Role: dobot.RoleApprover, ApprovalAboveCents: 5000},
		{Action: "launch", AppGlob: "prod-db*", NeedsApproval: true, Role: dobot.RoleViewer, ApprovalAboveCents: 9000},
		{Action: "teardown", Role: dobot.RoleAdmin},
	}
	tests := []struct {
		name    string
		stored  []dobot.Policy
		known   bool
		action  string
		app     string
		want    dobot.Policy
		wantErr bool
	}{
		{"built-in default", nil, true, "launch", "web", builtin, false},
		{"a glob adds a role and a limit", stored, true, "launch", "prod-web",
			dobot.Policy{Action: "launch", Role: dobot.RoleApprover, ApprovalAboveCents: 5000}, false},
		{"globs never lift; the lowest limit wins", stored, true, "launch", "prod-db1",
			dobot.Policy{Action: "launch", Role: dobot.RoleApprover, NeedsApproval: true, ApprovalAboveCents: 5000}, false},
		{"no app: only the default", stored, true, "launch", "", builtin, false},
		{"a stored default replaces the built-in one", stored, false, "teardown", "web", stored[2], false},
		{"no policy at all", stored, false, "rollback", "web", dobot.Policy{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := builtin
			if tt.action != "launch" {
				b = dobot.Policy{}
			}
			got, err := access.Effective(tt.stored, b, tt.known, tt.action, tt.app)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Effective(%s, %q) = %+v, %v; want %+v (error %v)", tt.action, tt.app, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
