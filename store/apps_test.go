package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"dobot"
)

func TestApps(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)

		web := dobot.App{Name: "web", Kind: "app", ResourceID: "uuid-1", Region: "fra",
			Image: "ghcr.io/acme/web:1", Owner: "U1", Channel: "C1", ThreadTS: "1.2"}
		api := dobot.App{Name: "api", Kind: "droplet", ResourceID: "42", Region: "ams3",
			Owner: "U2", CreatedAt: t0.Add(-time.Hour)}
		for _, a := range []dobot.App{web, api} {
			if err := db.PutApp(ctx, a); err != nil {
				t.Fatalf("PutApp(%q) = %v", a.Name, err)
			}
		}
		web.CreatedAt = t0 // filled from the clock

		// Replace by name.
		web.Image = "ghcr.io/acme/web:2"
		if err := db.PutApp(ctx, web); err != nil {
			t.Fatalf("PutApp(web) again = %v", err)
		}

		tests := []struct {
			name    string
			in      string
			byID    bool
			want    dobot.App
			wantErr error
		}{
			{"by name", "web", false, web, nil},
			{"droplet", "api", false, api, nil},
			{"missing name", "nope", false, dobot.App{}, dobot.ErrNotFound},
			{"by resource id", "uuid-1", true, web, nil},
			{"missing resource id", "uuid-9", true, dobot.App{}, dobot.ErrNotFound},
			{"empty resource id", "", true, dobot.App{}, dobot.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				get, fn := db.App, "App"
				if tt.byID {
					get, fn = db.AppByResourceID, "AppByResourceID"
				}
				got, err := get(ctx, tt.in)
				if !errors.Is(err, tt.wantErr) || got != tt.want {
					t.Errorf("%s(%q) = %+v, %v; want %+v, %v", fn, tt.in, got, err, tt.want, tt.wantErr)
				}
			})
		}

		apps, err := db.Apps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []dobot.App{api, web}; !slices.Equal(apps, want) {
			t.Errorf("Apps() = %+v; want %+v", apps, want)
		}

		if err := db.DeleteApp(ctx, "web"); err != nil {
			t.Errorf("DeleteApp(web) = %v; want nil", err)
		}
		if err := db.DeleteApp(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("DeleteApp(web) twice = %v; want ErrNotFound", err)
		}
		if _, err := db.App(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("App(web) after delete = %v; want ErrNotFound", err)
		}
	})
}

func TestUpdateAppExpiryIsConditional(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
		if err := db.PutApp(ctx, dobot.App{Name: "demo", Kind: "app", ResourceID: "id", Expiry: dobot.Expiry{ExpiresAt: at}}); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.UpdateAppExpiry(ctx, "demo", at.Add(time.Minute), at.Add(time.Hour), false); err != nil || ok {
			t.Errorf("UpdateAppExpiry from a stale expiry = %v, %v; want no change", ok, err)
		}
		if ok, err := db.UpdateAppExpiry(ctx, "demo", at, at.Add(time.Hour), true); err != nil || !ok {
			t.Fatalf("UpdateAppExpiry from the current expiry = %v, %v; want a change", ok, err)
		}
		got, _ := db.App(ctx, "demo")
		if !got.ExpiresAt.Equal(at.Add(time.Hour)) || !got.Reminded {
			t.Errorf("after UpdateAppExpiry app = %+v; want expiry +1h and reminded", got)
		}
		if err := db.DeleteApp(ctx, "demo"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.UpdateAppExpiry(ctx, "demo", at.Add(time.Hour), at.Add(2*time.Hour), false); ok {
			t.Error("UpdateAppExpiry brought back a deleted app")
		}
		if _, err := db.App(ctx, "demo"); err == nil {
			t.Error("deleted app exists again")
		}
	})
}
