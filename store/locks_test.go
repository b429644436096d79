package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"dobot"
)

func TestAppLocks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)

		got, placed, err := db.LockApp(ctx, dobot.AppHold{App: "web", Holder: "U1", HolderName: "ana", Reason: "incident 42"})
		if err != nil || !placed {
			t.Fatalf("LockApp(web) = %+v, %v, %v; want placed", got, placed, err)
		}
		want := dobot.AppHold{App: "web", Holder: "U1", HolderName: "ana", Reason: "incident 42", Since: t0}
		if got != want {
			t.Errorf("LockApp(web) = %+v; want %+v", got, want)
		}
		clock.Advance(time.Minute)
		// A second lock finds the first and changes nothing.
		got, placed, err = db.LockApp(ctx, dobot.AppHold{App: "web", Holder: "U2", Reason: "mine"})
		if err != nil || placed || got != want {
			t.Errorf("second LockApp(web) = %+v, %v, %v; want %+v, not placed", got, placed, err, want)
		}
		if _, err := db.AppLock(ctx, "api"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("AppLock(api) err = %v; want ErrNotFound", err)
		}
		if all, err := db.AppLocks(ctx); err != nil || len(all) != 1 || all[0] != want {
			t.Errorf("AppLocks() = %+v, %v; want [%+v]", all, err, want)
		}

		// The expiry note is taken once per lock.
		for i, wantMarked := range []bool{true, false} {
			if marked, err := db.NoteLockedExpiry(ctx, "web"); err != nil || marked != wantMarked {
				t.Errorf("NoteLockedExpiry #%d = %v, %v; want %v", i, marked, err, wantMarked)
			}
		}
		if h, _ := db.AppLock(ctx, "web"); !h.ExpiryNoted {
			t.Errorf("lock after the note = %+v; want ExpiryNoted", h)
		}

		// Unlock is compare-and-delete: the wrong holder or time removes nothing.
		for _, tt := range []struct {
			holder string
			since  time.Time
			want   bool
		}{{"U2", t0, false}, {"U1", t0.Add(time.Second), false}, {"U1", t0, true}, {"U1", t0, false}} {
			if removed, err := db.UnlockApp(ctx, "web", tt.holder, tt.since); err != nil || removed != tt.want {
				t.Errorf("UnlockApp(web, %s, %v) = %v, %v; want %v", tt.holder, tt.since, removed, err, tt.want)
			}
		}
		// A new lock starts without the note.
		if h, placed, err := db.LockApp(ctx, dobot.AppHold{App: "web", Holder: "U2"}); err != nil || !placed || h.ExpiryNoted {
			t.Errorf("relock = %+v, %v, %v; want placed without the note", h, placed, err)
		}
	})
}

func TestFreezes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)

		all, err := db.Freeze(ctx, dobot.Freeze{Glob: "*", By: "U1", Reason: "release", Until: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Freeze(ctx, dobot.Freeze{Glob: "prod-*", By: "U1", Reason: "incident", Until: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// Freezing the same glob again replaces it.
		clock.Advance(time.Minute)
		prod, err := db.Freeze(ctx, dobot.Freeze{Glob: "prod-*", By: "U2", ByName: "raj", Reason: "longer", Until: t0.Add(3 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Freezes(ctx, clock.Now())
		if err != nil || len(got) != 2 || got[0] != all || got[1] != prod {
			t.Fatalf("Freezes() = %+v, %v; want [%+v %+v]", got, err, all, prod)
		}
		if prod.Since != t0.Add(time.Minute) || prod.By != "U2" {
			t.Errorf("replaced freeze = %+v; want U2's from t0+1m", prod)
		}
		// An ended freeze is not listed, and unfreezing it says none was in force.
		later := t0.Add(90 * time.Minute)
		if got, _ := db.Freezes(ctx, later); len(got) != 1 || got[0].Glob != "prod-*" {
			t.Errorf("Freezes(t0+90m) = %+v; want prod-* only", got)
		}
		clock.Set(later)
		if _, found, err := db.Unfreeze(ctx, "*"); err != nil || found {
			t.Errorf("Unfreeze(*) after its end = %v, %v; want not found", found, err)
		}
		if f, found, err := db.Unfreeze(ctx, "prod-*"); err != nil || !found || f.Reason != "longer" {
			t.Errorf("Unfreeze(prod-*) = %+v, %v, %v; want the longer freeze", f, found, err)
		}
		if got, _ := db.Freezes(ctx, later); len(got) != 0 {
			t.Errorf("Freezes() after unfreezing = %+v; want none", got)
		}
	})
}

func TestFreezeMatches(t *testing.T) {
	tests := []struct {
		glob, app string
		want      bool
	}{{"*", "web", true}, {"prod-*", "prod-web", true}, {"prod-*", "web", false}, {"web", "web", true}, {"[", "web", false}}
	for _, tt := range tests {
		if got := (dobot.Freeze{Glob: tt.glob}).Matches(tt.app); got != tt.want {
			t.Errorf("Freeze{%q}.Matches(%q) = %v; want %v", tt.glob, tt.app, got, tt.want)
		}
	}
}

func TestRoutesAndBindings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		if _, err := db.Route(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("Route(web) before = %v; want ErrNotFound", err)
		}
		for _, ch := range []string{"COPS1", "COPS2"} {
			if err := db.SetRoute(ctx, dobot.Route{App: "web", Channel: ch, SetBy: "U1"}); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := db.Route(ctx, "web"); err != nil || r.Channel != "COPS2" || r.SetBy != "U1" || r.SetAt != t0 {
			t.Errorf("Route(web) = %+v, %v; want COPS2 set by U1 at t0", r, err)
		}
		for _, want := range []bool{true, false} {
			if removed, err := db.DeleteRoute(ctx, "web"); err != nil || removed != want {
				t.Errorf("DeleteRoute(web) = %v, %v; want %v", removed, err, want)
			}
		}

		if _, err := db.Binding(ctx, 7); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("Binding(7) before = %v; want ErrNotFound", err)
		}
		b := dobot.Binding{OperationID: 7, Image: "nginx:1.27", Digest: "sha256:aa", SpecHash: "ff"}
		if err := db.PutBinding(ctx, b); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Binding(ctx, 7); err != nil || got != b {
			t.Errorf("Binding(7) = %+v, %v; want %+v", got, err, b)
		}
	})
}
