package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"dobot"
	"dobot/internal/pgtest"
	"dobot/internal/testclock"
)

// TestStepMigrationSplitsDeploymentID applies the migrations before 0010 to
// a database holding operations as an older bot left them, with the
// "sending" marker and droplet action ids in deployment_id, and then the
// rest, in both dialects.
func TestStepMigrationSplitsDeploymentID(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		sqldb, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "old.db")))
		if err != nil {
			t.Fatal(err)
		}
		testStepMigration(t, &DB{Now: (testclock.New(t0)).Now, sql: conn{DB: sqldb, D: sqliteDialect}, d: sqliteDialect})
	})
	t.Run("postgres", func(t *testing.T) {
		sqldb, err := sql.Open("pgx", pgtest.Fresh(t))
		if err != nil {
			t.Fatal(err)
		}
		testStepMigration(t, &DB{Now: (testclock.New(t0)).Now, sql: conn{DB: sqldb, D: postgresDialect}, d: postgresDialect})
	})
}

func testStepMigration(t *testing.T, db *DB) {
	ctx := context.Background()
	defer db.Close()
	before, after := fstest.MapFS{}, fstest.MapFS{}
	files, _ := fs.Glob(db.d.Migrations, "*.sql")
	for _, f := range files {
		b, _ := fs.ReadFile(db.d.Migrations, f)
		after[f] = &fstest.MapFile{Data: b}
		if f < "0010" {
			before[f] = &fstest.MapFile{Data: b}
		}
	}
	if _, err := db.migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		action, app, resource, deployment string
		wantStep                          dobot.OpStep
		wantDeployment, wantExternal      string
	}{
		{"launch", "a", "", "sending", dobot.StepSending, "", ""},
		{"launch", "b", "app-1", "", dobot.StepSent, "", ""},
		{"redeploy", "c", "app-2", "dep-9", dobot.StepSent, "dep-9", ""},
		{"redeploy", "d", "app-3", "", dobot.StepCreated, "", ""},
		{"droplet", "e", "123", "456", dobot.StepSent, "", "456"},
		{"droplet", "f", "124", "sending", dobot.StepSending, "", ""},
		{"teardown", "g", "app-4", "", dobot.StepCreated, "", ""},
	}
	for _, r := range rows {
		if _, err := db.sql.ExecContext(ctx, `INSERT INTO operations (action, app, state, requester, requester_name, channel,
			message_ts, response_url, command_text, args, reason, resource_id, deployment_id, decider, decided_at,
			error, created_at, updated_at, expires_at, lock_key) VALUES (?, ?, 'running', '', '', '', '', '', '', '', '', ?, ?, '', '', '', '', '', '', ?)`,
			r.action, r.app, r.resource, r.deployment, "app:"+r.app); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.migrate(ctx, after); err != nil {
		t.Fatalf("migrate = %v", err)
	}
	for _, r := range rows {
		op, err := db.ActiveOperation(ctx, r.app)
		if err != nil {
			t.Fatal(err)
		}
		if op.Step != r.wantStep || op.DeploymentID != r.wantDeployment || op.ExternalID != r.wantExternal {
			t.Errorf("%s %s (deployment_id %q) migrated to step %q, deployment %q, external %q; want %q, %q, %q",
				r.action, r.app, r.deployment, op.Step, op.DeploymentID, op.ExternalID, r.wantStep, r.wantDeployment, r.wantExternal)
		}
	}
}

func TestOperationStepAndExternalIDRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTest(t)
	op, err := db.CreateOperation(ctx, dobot.Operation{Action: "droplet", App: "web", State: dobot.OpRunning})
	if err != nil {
		t.Fatal(err)
	}
	if op.Step != dobot.StepCreated {
		t.Errorf("new operation's step = %q; want created", op.Step)
	}
	op.Step, op.ExternalID = dobot.StepSent, "789"
	if err := db.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	got, err := db.Operation(ctx, op.ID)
	if err != nil || got.Step != dobot.StepSent || got.ExternalID != "789" {
		t.Errorf("Operation after update = %+v, %v; want step sent and external id 789", got, err)
	}
}
