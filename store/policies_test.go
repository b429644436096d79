package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"dobot"
)

func TestPolicies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)

		set := []dobot.Policy{
			{Action: "teardown", AppGlob: "prod-*", Role: dobot.RoleApprover, NeedsApproval: true, UpdatedBy: "U1"},
			{Action: "launch", AppGlob: "", Role: dobot.RoleDeployer, UpdatedBy: "U1"},
			{Action: "teardown", AppGlob: "", Role: dobot.RoleDeployer, UpdatedBy: "U1"},
			{Action: "logs", AppGlob: "", Role: dobot.RoleNone, UpdatedBy: "U1"},
		}
		for _, p := range set {
			if err := db.SetPolicy(ctx, p); err != nil {
				t.Fatalf("SetPolicy(%+v) = %v", p, err)
			}
		}
		clock.Advance(time.Hour)
		// Upsert: same (action, glob) replaces.
		if err := db.SetPolicy(ctx, dobot.Policy{Action: "launch", Role: dobot.RoleApprover, NeedsApproval: true, UpdatedBy: "U2"}); err != nil {
			t.Fatal(err)
		}

		got, err := db.Policies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []dobot.Policy{
			{Action: "launch", AppGlob: "", Role: dobot.RoleApprover, NeedsApproval: true, UpdatedBy: "U2", UpdatedAt: t0.Add(time.Hour)},
			{Action: "logs", AppGlob: "", Role: dobot.RoleNone, UpdatedBy: "U1", UpdatedAt: t0},
			{Action: "teardown", AppGlob: "", Role: dobot.RoleDeployer, UpdatedBy: "U1", UpdatedAt: t0},
			{Action: "teardown", AppGlob: "prod-*", Role: dobot.RoleApprover, NeedsApproval: true, UpdatedBy: "U1", UpdatedAt: t0},
		}
		if !slices.Equal(got, want) {
			t.Errorf("Policies() = %+v; want %+v", got, want)
		}

		tests := []struct {
			name         string
			action, glob string
			want         bool
		}{
			{"exists", "teardown", "prod-*", true},
			{"again", "teardown", "prod-*", false},
			{"never", "launch", "dev-*", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.DeletePolicy(ctx, tt.action, tt.glob)
				if err != nil || got != tt.want {
					t.Errorf("DeletePolicy(%q, %q) = %v, %v; want %v", tt.action, tt.glob, got, err, tt.want)
				}
			})
		}
		if got, _ := db.Policies(ctx); len(got) != 3 {
			t.Errorf("len(Policies()) after delete = %d; want 3", len(got))
		}
	})
}
