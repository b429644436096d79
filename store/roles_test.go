package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"dobot"
)

func TestRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)

		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.SetRole(ctx, "U1", dobot.RoleViewer, "UADMIN"))
		must(db.SetRole(ctx, "U2", dobot.RoleDeployer, "UADMIN"))
		must(db.SetRole(ctx, "U3", dobot.RoleDeployer, "UADMIN"))
		clock.Advance(time.Minute)
		must(db.SetRole(ctx, "U1", dobot.RoleApprover, "UBOSS")) // replaces viewer

		tests := []struct {
			name string
			in   string
			want dobot.Role
		}{
			{"replaced", "U1", dobot.RoleApprover},
			{"deployer", "U2", dobot.RoleDeployer},
			{"unknown", "U404", dobot.RoleNone},
			{"empty", "", dobot.RoleNone},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Role(ctx, tt.in)
				if err != nil || got != tt.want {
					t.Errorf("Role(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
				}
			})
		}

		grants, err := db.Grants(ctx)
		must(err)
		wantGrants := []dobot.Grant{
			{UserID: "U1", Role: dobot.RoleApprover, GrantedBy: "UBOSS", GrantedAt: t0.Add(time.Minute)},
			{UserID: "U2", Role: dobot.RoleDeployer, GrantedBy: "UADMIN", GrantedAt: t0},
			{UserID: "U3", Role: dobot.RoleDeployer, GrantedBy: "UADMIN", GrantedAt: t0},
		}
		if !slices.Equal(grants, wantGrants) {
			t.Errorf("Grants() = %+v; want %+v", grants, wantGrants)
		}

		users, err := db.UsersWithRole(ctx, dobot.RoleDeployer)
		must(err)
		if want := []string{"U2", "U3"}; !slices.Equal(users, want) {
			t.Errorf("UsersWithRole(deployer) = %v; want %v", users, want)
		}

		for _, tt := range []struct {
			in   string
			want bool
		}{{"U2", true}, {"U2", false}, {"U404", false}} {
			got, err := db.RevokeRole(ctx, tt.in)
			if err != nil || got != tt.want {
				t.Errorf("RevokeRole(%q) = %v, %v; want %v, nil", tt.in, got, err, tt.want)
			}
		}
		if got, _ := db.Role(ctx, "U2"); got != dobot.RoleNone {
			t.Errorf("Role(U2) after revoke = %v; want none", got)
		}
	})
}

func TestSetRoleRefusesNone(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		db, _, _ := be.open(t)
		for _, r := range []dobot.Role{dobot.RoleNone, dobot.Role(-1), dobot.Role(9)} {
			if err := db.SetRole(context.Background(), "U1", r, "UADMIN"); err == nil {
				t.Errorf("SetRole(U1, %v) = nil; want error", r)
			}
		}
	})
}

func TestEnsureAdmins(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		if err := db.SetRole(ctx, "U2", dobot.RoleViewer, "UX"); err != nil {
			t.Fatal(err)
		}
		if err := db.EnsureAdmins(ctx, []string{"U1", " U2 ", ""}); err != nil {
			t.Fatalf("EnsureAdmins = %v", err)
		}
		clock.Advance(time.Hour)
		// Idempotent: a restart must not rewrite existing admin grants.
		if err := db.EnsureAdmins(ctx, []string{"U1", "U2"}); err != nil {
			t.Fatalf("EnsureAdmins again = %v", err)
		}
		grants, err := db.Grants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []dobot.Grant{
			{UserID: "U1", Role: dobot.RoleAdmin, GrantedBy: "BOT_ADMINS", GrantedAt: t0},
			{UserID: "U2", Role: dobot.RoleAdmin, GrantedBy: "BOT_ADMINS", GrantedAt: t0},
		}
		if !slices.Equal(grants, want) {
			t.Errorf("Grants() after EnsureAdmins = %+v; want %+v", grants, want)
		}
	})
}
