package manage_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/ops/manage"
	"dobot/store"
)

// finder is DigitalOcean as adopt and forget see it: one app, legacy,
// with two services, and whether the forgotten app is gone.
type finder struct {
	db   *store.DB
	gone bool
}

func (f *finder) ManagedApp(ctx context.Context, name string) (dobot.App, error) {
	return f.db.App(ctx, name)
}
func (f *finder) GoneFromDO(context.Context, dobot.App) (bool, error) { return f.gone, nil }
func (f *finder) DropletByName(context.Context, string) (*godo.Droplet, error) {
	return nil, errors.New("no droplets here")
}
func (f *finder) AppCost(_ context.Context, slug string, n int) (int64, error) {
	return int64(500 * n), nil
}
func (f *finder) AppByName(_ context.Context, name string) (*godo.App, error) {
	return &godo.App{ID: "app-9", Region: &godo.AppRegion{Slug: "ams"}, Spec: &godo.AppSpec{Name: name, Services: []*godo.AppServiceSpec{
		{Name: "web", InstanceSizeSlug: "basic-xxs", InstanceCount: 2, Image: &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Repository: "nginx", Tag: "1"}},
		{Name: "worker", InstanceSizeSlug: "basic-xxs", InstanceCount: 1},
	}}}, nil
}

func newManager(t *testing.T) (*manage.Manager, *store.DB, *finder, *chatfake.Board) {
	t.Helper()
	db := storetest.Open(t)
	f, board := &finder{db: db}, &chatfake.Board{}
	m := manage.New(manage.Deps{Store: db, Finder: f, Chat: board, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return m, db, f, board
}

func TestAdoptRecordsTheAppOnce(t *testing.T) {
	m, db, _, _ := newManager(t)
	ctx := context.Background()
	admin := manage.Who{UserID: "U0ADM", Channel: "C1", Role: dobot.RoleAdmin}
	if _, err := m.Adopt(ctx, admin, manage.AdoptArgs{Name: "legacy"}); err != nil {
		t.Fatal(err)
	}
	app, err := db.App(ctx, "legacy")
	if err != nil || app.ResourceID != "app-9" || app.Kind != deploy.KindApp || app.MonthlyCents != 1500 || !app.Adopted || app.Owner != "U0ADM" {
		t.Fatalf("adopted record = %+v, %v; want app-9, owned by the admin, costing both services", app, err)
	}
	if _, err := m.Adopt(ctx, admin, manage.AdoptArgs{Name: "legacy"}); err == nil || !strings.Contains(err.Error(), "already manages") {
		t.Errorf("adopting twice = %v; want it refused", err)
	}
}

func TestParseAdopt(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want manage.AdoptArgs
		err  bool
	}{
		{[]string{"legacy"}, manage.AdoptArgs{Name: "legacy"}, false},
		{[]string{"box", "--droplet"}, manage.AdoptArgs{Name: "box", Droplet: true}, false},
		{[]string{}, manage.AdoptArgs{}, true},
		{[]string{"Not_A_Name"}, manage.AdoptArgs{}, true},
	} {
		got, err := manage.ParseAdopt(c.in)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseAdopt(%q) = %+v, %v; want %+v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

func TestForgetOnlyWhatDigitalOceanNoLongerHas(t *testing.T) {
	m, db, f, board := newManager(t)
	ctx := context.Background()
	if err := db.PutApp(ctx, dobot.App{Name: "web", Kind: deploy.KindApp, ResourceID: "app-1", Owner: "U0OWN", Channel: "C1", ThreadTS: "launch-1"}); err != nil {
		t.Fatal(err)
	}
	owner := manage.Who{UserID: "U0OWN", Role: dobot.RoleDeployer}
	if _, err := m.Forget(ctx, manage.Who{UserID: "U0ELSE", Role: dobot.RoleDeployer}, "web"); err == nil {
		t.Error("someone else forgot the owner's app")
	}
	if _, err := m.Forget(ctx, owner, "web"); err == nil || !strings.Contains(err.Error(), "DigitalOcean still has web") {
		t.Errorf("forget while DigitalOcean has it = %v; want it refused", err)
	}
	f.gone = true
	if _, err := m.Forget(ctx, owner, "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.App(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
		t.Errorf("record after forget: %v; want it gone", err)
	}
	if notes := board.Find("forgot web"); len(notes) != 1 || notes[0].To != "launch-1" {
		t.Errorf("notes = %+v; want one in the launch thread", notes)
	}
}
