package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"dobot"
	"dobot/internal/testclock"
	"dobot/migrations"
)

func TestLastAdminIsKept(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		if err := db.SetRole(ctx, "UA", dobot.RoleAdmin, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevokeRole(ctx, "UA"); !errors.Is(err, dobot.ErrLastAdmin) {
			t.Errorf("RevokeRole(only admin) = %v; want ErrLastAdmin", err)
		}
		if err := db.SetRole(ctx, "UA", dobot.RoleDeployer, "test"); !errors.Is(err, dobot.ErrLastAdmin) {
			t.Errorf("SetRole(only admin, deployer) = %v; want ErrLastAdmin", err)
		}
		if err := db.SetRole(ctx, "UB", dobot.RoleAdmin, "test"); err != nil {
			t.Fatal(err)
		}
		if existed, err := db.RevokeRole(ctx, "UA"); err != nil || !existed {
			t.Errorf("RevokeRole(one of two admins) = %v, %v; want true, nil", existed, err)
		}
		if role, _ := db.Role(ctx, "UB"); role != dobot.RoleAdmin {
			t.Errorf("UB is %v; want still admin", role)
		}
	})
}

func TestRecordCreationIsAllOrNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		op, err := db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "web", State: dobot.OpRunning})
		if err != nil {
			t.Fatal(err)
		}
		op.ResourceID = "app-1"
		if err := db.RecordCreation(ctx, op, dobot.App{Name: "web", ResourceID: "app-1"}); err != nil {
			t.Fatalf("RecordCreation = %v", err)
		}
		if got, _ := db.Operation(ctx, op.ID); got.ResourceID != "app-1" {
			t.Errorf("operation resource id = %q; want app-1", got.ResourceID)
		}
		if app, err := db.App(ctx, "web"); err != nil || app.ResourceID != "app-1" {
			t.Errorf("App(web) = %+v, %v; want app-1", app, err)
		}

		// An operation that cannot be saved leaves no app behind either.
		ghost := dobot.Operation{ID: 999, Action: "launch", App: "api", Sent: dobot.Sent{ResourceID: "app-2"}}
		if err := db.RecordCreation(ctx, ghost, dobot.App{Name: "api", ResourceID: "app-2"}); err == nil {
			t.Fatal("RecordCreation of a missing operation succeeded")
		}
		if _, err := db.App(ctx, "api"); !errors.Is(err, dobot.ErrNotFound) {
			t.Errorf("App(api) after the failed record = %v; want not found", err)
		}
	})
}

func TestAppNamedRegistryAndTheRegistryLockApart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, _, _ := be.open(t)
		app, err := db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "registry", State: dobot.OpRunning})
		if err != nil {
			t.Fatal(err)
		}
		if app.Lock != "app:registry" {
			t.Errorf("lock of launch registry = %q; want app:registry", app.Lock)
		}
		reg, err := db.CreateOperation(ctx, dobot.Operation{Action: "registry.create", App: "registry", Lock: dobot.RegistryLock, State: dobot.OpRunning})
		if err != nil {
			t.Fatalf("registry create while an app called registry is busy = %v; want it to go ahead", err)
		}
		var busy *dobot.BusyError
		if _, err := db.CreateOperation(ctx, dobot.Operation{Action: "registry.gc", App: "registry", Lock: dobot.RegistryLock}); !errors.As(err, &busy) || busy.Holder.ID != reg.ID {
			t.Errorf("second registry operation = %v; want busy with #%d", err, reg.ID)
		}
		if holder, err := db.ActiveOperation(ctx, "registry"); err != nil || holder.ID != app.ID {
			t.Errorf("ActiveOperation(registry) = %+v, %v; want the app's launch #%d", holder, err, app.ID)
		}
	})
}

// TestLockMigrationNamespacesExistingRows applies the migrations up to the
// lock change to a file holding unfinished operations, as an older bot
// left them, and then the rest.
func TestLockMigrationNamespacesExistingRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	sqldb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{Now: (testclock.New(t0)).Now, sql: conn{DB: sqldb, D: sqliteDialect}, d: sqliteDialect}
	defer db.Close()
	before, after := fstest.MapFS{}, fstest.MapFS{}
	files, _ := fs.Glob(migrations.FS, "*.sql")
	for _, f := range files {
		b, _ := fs.ReadFile(migrations.FS, f)
		after[f] = &fstest.MapFile{Data: b}
		if f < "0007" {
			before[f] = &fstest.MapFile{Data: b}
		}
	}
	if _, err := db.migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	for _, row := range [][2]string{{"launch", "web"}, {"registry.gc", "registry"}} {
		if _, err := sqldb.Exec(`INSERT INTO operations (action, app, state, requester, requester_name, channel,
			message_ts, response_url, command_text, args, reason, resource_id, deployment_id, decider, decided_at,
			error, created_at, updated_at, expires_at) VALUES (?, ?, 'running', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '')`,
			row[0], row[1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.migrate(ctx, after); err != nil {
		t.Fatalf("migrate = %v", err)
	}
	if holder, err := db.ActiveOperation(ctx, "web"); err != nil || holder.Lock != "app:web" {
		t.Errorf("ActiveOperation(web) after migrating = %+v, %v; want the launch under app:web", holder, err)
	}
	if _, err := db.ActiveOperation(ctx, "registry"); !errors.Is(err, dobot.ErrNotFound) {
		t.Errorf("ActiveOperation(registry) = %v; want the registry's gc not taken for an app", err)
	}
	var busy *dobot.BusyError
	if _, err := db.CreateOperation(ctx, dobot.Operation{Action: "registry.create", App: "registry", Lock: dobot.RegistryLock}); !errors.As(err, &busy) {
		t.Errorf("registry create during the migrated gc = %v; want busy", err)
	}
}
