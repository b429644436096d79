package store

import (
	"context"
	"testing"
	"time"

	"dobot"
)

func TestDeploymentMarksOnlyMoveForward(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		if got, err := db.DeploymentMarks(ctx); err != nil || len(got) != 0 {
			t.Fatalf("DeploymentMarks before = %v, %v; want none", got, err)
		}
		newer := dobot.DeploymentMark{AppID: "a1", DeploymentID: "d2", CreatedAt: t0.Add(time.Minute)}
		older := dobot.DeploymentMark{AppID: "a1", DeploymentID: "d1", CreatedAt: t0}
		other := dobot.DeploymentMark{AppID: "a2", DeploymentID: "d9", CreatedAt: t0}
		for _, m := range []dobot.DeploymentMark{newer, older, other} {
			if err := db.SetDeploymentMark(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.DeploymentMarks(ctx)
		if err != nil || len(got) != 2 || got["a1"] != newer || got["a2"] != other {
			t.Errorf("DeploymentMarks = %v, %v; want a1 at d2 (not moved back to d1) and a2 at d9", got, err)
		}
	})
}
