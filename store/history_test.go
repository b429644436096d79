package store

import (
	"context"
	"testing"

	"dobot"
)

// A policy's cost limit is stored and read back on both dialects, and
// replaced by an upsert like the rest of the policy.
func TestPolicyCostLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		if err := db.SetPolicy(ctx, dobot.Policy{Action: "launch", Role: dobot.RoleDeployer, ApprovalAboveCents: 5000, UpdatedBy: "U1"}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPolicy(ctx, dobot.Policy{Action: "launch", AppGlob: "prod-*", Role: dobot.RoleDeployer, ApprovalAboveCents: 1, UpdatedBy: "U1"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Policies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ApprovalAboveCents != 5000 || got[1].ApprovalAboveCents != 1 {
			t.Fatalf("Policies = %+v; want limits 5000 and 1", got)
		}
		if err := db.SetPolicy(ctx, dobot.Policy{Action: "launch", Role: dobot.RoleDeployer, UpdatedBy: "U2"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Policies(ctx); got[0].ApprovalAboveCents != 0 {
			t.Errorf("after an upsert without a limit, limit = %d; want 0", got[0].ApprovalAboveCents)
		}
		if err := db.SetPolicy(ctx, dobot.Policy{Action: "launch", Role: dobot.RoleDeployer, ApprovalAboveCents: -1, UpdatedBy: "U2"}); err == nil {
			t.Error("SetPolicy with a negative limit succeeded")
		}
	})
}

// OperationsOn lists every operation on a resource, finished or not,
// oldest first, and nothing for another resource or an empty id.
func TestOperationsOn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		mk := func(app, res string, state dobot.OpState) dobot.Operation {
			op, err := db.CreateOperation(ctx, dobot.Operation{Action: "redeploy", App: app, State: state, Requester: "U1", Sent: dobot.Sent{ResourceID: res}})
			if err != nil {
				t.Fatal(err)
			}
			return op
		}
		a := mk("web", "app-1", dobot.OpSucceeded)
		mk("api", "app-2", dobot.OpSucceeded)
		c := mk("web", "app-1", dobot.OpRunning)
		got, err := db.OperationsOn(ctx, "app-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != a.ID || got[1].ID != c.ID {
			t.Errorf("OperationsOn(app-1) = %+v; want #%d then #%d", got, a.ID, c.ID)
		}
		if got, err := db.OperationsOn(ctx, ""); err != nil || len(got) != 0 {
			t.Errorf("OperationsOn(\"\") = %v, %v; want nothing", got, err)
		}
	})
}
