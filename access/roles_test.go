package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"dobot"
	"dobot/access"
	"dobot/reply"
)

func TestParseGrantAndRevoke(t *testing.T) {
	if got, err := access.ParseGrant([]string{"@U0ANA", "Deployer"}); err != nil || got != (access.UserArgs{User: "U0ANA", Role: dobot.RoleDeployer}) {
		t.Errorf("ParseGrant(@U0ANA Deployer) = %+v, %v", got, err)
	}
	if got, err := access.ParseRevoke([]string{"U0ANA"}); err != nil || got != (access.UserArgs{User: "U0ANA"}) {
		t.Errorf("ParseRevoke(U0ANA) = %+v, %v", got, err)
	}
	tests := []struct {
		parse func([]string) (access.UserArgs, error)
		in    string
		want  string
	}{
		{access.ParseGrant, "@U0ANA", "grant takes a user and a role"},
		{access.ParseGrant, "@U0ANA admin extra", "grant takes a user and a role"},
		{access.ParseGrant, "ana admin", `"ana" is not a Slack user`},
		{access.ParseGrant, "@U0ANA boss", "boss"},
		{access.ParseRevoke, "", "revoke takes one user"},
		{access.ParseRevoke, "@ana", `"@ana" is not a Slack user`},
	}
	for _, tt := range tests {
		_, err := tt.parse(strings.Fields(tt.in))
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse(%q) = %v; want a user error with %q", tt.in, err, tt.want)
		}
	}
}

func TestGrantRevokeList(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	if m, err := d.List(ctx); err != nil || m.Text != "Nobody has a role yet. Set BOT_ADMINS to make the first admins." {
		t.Errorf("roles with none = %q, %v", m.Text, err)
	}
	if err := d.db.EnsureAdmins(ctx, []string{"U0BOSS"}); err != nil {
		t.Fatal(err)
	}
	if m, err := d.Grant(ctx, "U0BOSS", access.UserArgs{User: "U0ANA", Role: dobot.RoleApprover}); err != nil || !strings.Contains(m.Text, "is now an approver.") {
		t.Errorf("grant = %q, %v; want an approver", m.Text, err)
	}
	if r, err := d.db.Role(ctx, "U0ANA"); err != nil || r != dobot.RoleApprover {
		t.Errorf("U0ANA's role = %v, %v; want approver", r, err)
	}
	m, err := d.List(ctx)
	if err != nil || !strings.Contains(m.Text, "— admin (granted by BOT_ADMINS,") || !strings.Contains(m.Text, "— approver (granted by") {
		t.Errorf("roles = %q, %v", m.Text, err)
	}
	var ue *reply.UserError
	if _, err := d.Revoke(ctx, access.UserArgs{User: "U0BOSS"}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "is the only admin") {
		t.Errorf("revoking the last admin = %v; want refused", err)
	}
	if _, err := d.Grant(ctx, "U0BOSS", access.UserArgs{User: "U0BOSS", Role: dobot.RoleViewer}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "is the only admin") {
		t.Errorf("demoting the last admin = %v; want refused", err)
	}
	if m, err := d.Revoke(ctx, access.UserArgs{User: "U0ANA"}); err != nil || !strings.Contains(m.Text, "no longer has a role") {
		t.Errorf("revoke = %q, %v", m.Text, err)
	}
	if _, err := d.Revoke(ctx, access.UserArgs{User: "U0ANA"}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "has no role, so there is nothing to revoke") {
		t.Errorf("revoking again = %v; want a user error", err)
	}
}
