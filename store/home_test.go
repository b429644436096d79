package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"dobot"
)

func TestHomeViewers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, target := be.open(t)
		viewers := func(within time.Duration, want ...string) {
			t.Helper()
			got, err := db.HomeViewers(ctx, within)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("HomeViewers(%v) = %q, %v; want %q", within, got, err, want)
			}
		}
		if err := db.NoteHomeOpened(ctx, ""); err == nil {
			t.Error("NoteHomeOpened(\"\") = nil; want an error")
		}
		viewers(time.Hour)
		for _, u := range []string{"U2", "U1"} {
			if err := db.NoteHomeOpened(ctx, u); err != nil {
				t.Fatalf("NoteHomeOpened(%s) = %v", u, err)
			}
		}
		clock.Advance(2 * time.Hour)
		if err := db.NoteHomeOpened(ctx, "U3"); err != nil {
			t.Fatal(err)
		}
		viewers(3*time.Hour, "U1", "U2", "U3")
		viewers(time.Hour, "U3")

		// Opening again moves the time forward, and another replica (the
		// same database opened again) sees it.
		if err := db.NoteHomeOpened(ctx, "U1"); err != nil {
			t.Fatal(err)
		}
		other := be.reopen(t, target)
		other.Now = clock.Now
		if got, err := other.HomeViewers(ctx, time.Hour); err != nil || !slices.Equal(got, []string{"U1", "U3"}) {
			t.Fatalf("HomeViewers on another replica = %q, %v; want [U1 U3]", got, err)
		}

		if n, err := db.ForgetHomeViewers(ctx, time.Hour); err != nil || n != 1 {
			t.Fatalf("ForgetHomeViewers(1h) = %d, %v; want 1 (U2)", n, err)
		}
		viewers(3*time.Hour, "U1", "U3")
	})
}

func TestHomeChangesCounted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, target := be.open(t)
		last, published, err := db.HomeChanges(ctx)
		if err != nil || published != 0 {
			t.Fatalf("HomeChanges() = %d, %d, %v; want published 0", last, published, err)
		}
		// step checks whether what did counted as a change, or did not.
		step := func(what string, counts bool, do func() error) {
			t.Helper()
			if err := do(); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			got, _, err := db.HomeChanges(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if moved := got != last; moved != counts {
				t.Errorf("after %s, HomeChanges() moved from %d to %d; want moved=%v", what, last, got, counts)
			}
			last = got
		}
		var op dobot.Operation
		step("CreateOperation", true, func() (err error) { op, err = db.CreateOperation(ctx, newOp("web")); return err })
		step("UpdateOperation of its step", false, func() error {
			op.Step, op.DeploymentID = dobot.StepSent, "dep-1"
			return db.UpdateOperation(ctx, op)
		})
		step("a CreateOperation that fails", false, func() error {
			_, err := db.CreateOperation(ctx, newOp("web"))
			var busy *dobot.BusyError
			if !errors.As(err, &busy) {
				return err
			}
			return nil
		})
		step("Transition to running", true, func() error {
			_, ok, err := db.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpRunning, nil)
			if !ok && err == nil {
				t.Error("Transition did not happen")
			}
			return err
		})
		app := dobot.App{Name: "web", Kind: "app", ResourceID: "uuid-1", Region: "fra", Image: "x", Owner: "U1", CreatedAt: t0}
		step("PutApp", true, func() error { return db.PutApp(ctx, app) })
		step("UpdateAppExpiry", true, func() error {
			_, err := db.UpdateAppExpiry(ctx, "web", time.Time{}, t0.Add(time.Hour), false)
			return err
		})
		step("Transition to succeeded", true, func() error {
			_, _, err := db.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, dobot.OpSucceeded, nil)
			return err
		})
		step("DeleteApp", true, func() error { return db.DeleteApp(ctx, "web") })
		var lock dobot.AppHold
		step("LockApp", true, func() (err error) {
			lock, _, err = db.LockApp(ctx, dobot.AppHold{App: "web", Holder: "U1", Reason: "incident"})
			return err
		})
		step("UnlockApp", true, func() error { _, err := db.UnlockApp(ctx, "web", "U1", lock.Since); return err })
		step("Freeze", true, func() error {
			_, err := db.Freeze(ctx, dobot.Freeze{Glob: "*", By: "U1", Reason: "release", Until: t0.Add(time.Hour)})
			return err
		})
		step("Unfreeze", true, func() error { _, _, err := db.Unfreeze(ctx, "*"); return err })

		// Another replica reads the same count; the published mark only
		// moves forward.
		other := be.reopen(t, target)
		clock.Advance(time.Second)
		if err := other.MarkHomePublished(ctx, last); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkHomePublished(ctx, last-1); err != nil {
			t.Fatal(err)
		}
		if c, p, err := db.HomeChanges(ctx); err != nil || c != last || p != last {
			t.Errorf("HomeChanges() = %d, %d, %v; want %d, %d", c, p, err, last, last)
		}
	})
}
