package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"dobot"
	"dobot/internal/testclock"
	"dobot/store/internal/sqldb"
)

// fillNewerTables puts rows in the tables later migrations added: locks,
// freezes, routes, approval bindings, Home tab viewers, watch snapshots, a
// policy's cost limit, a deployment mark and a lease.
func fillNewerTables(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := db.LockApp(ctx, dobot.AppHold{App: "web", Holder: "UDEV", HolderName: "dev", Reason: "demo"}); err != nil || !ok {
		t.Fatalf("LockApp = %v, %v", ok, err)
	}
	_, err := db.NoteLockedExpiry(ctx, "web") // a BOOLEAN on PostgreSQL, 0/1 on SQLite
	must(err)
	_, err = db.Freeze(ctx, dobot.Freeze{Glob: "prod-*", By: "UADMIN", ByName: "admin", Reason: "release", Until: t0.Add(48 * time.Hour)})
	must(err)
	must(db.SetRoute(ctx, dobot.Route{App: "web", Channel: "C2", SetBy: "UADMIN"}))
	must(db.PutBinding(ctx, dobot.Binding{OperationID: 2, Image: "nginx", Digest: "sha256:ab", SpecHash: "cd"}))
	must(db.NoteHomeOpened(ctx, "UDEV"))
	must(db.SaveSnapshots(ctx, map[string][]byte{"r-1": []byte(`{"id":"r-1"}`)}))
	must(db.SetPolicy(ctx, dobot.Policy{Action: "launch", AppGlob: "*", Role: dobot.RoleDeployer, ApprovalAboveCents: 5000, UpdatedBy: "UADMIN"}))
	must(db.SetDeploymentMark(ctx, dobot.DeploymentMark{AppID: "r-1", DeploymentID: "d-1", CreatedAt: t0}))
	if _, ok, err := db.AcquireLease(ctx, "loop:ttl", "old-host-1", time.Minute); err != nil || !ok {
		t.Fatalf("AcquireLease = %v, %v", ok, err)
	}
}

// newerTables is what fillNewerTables wrote, read back through the API.
type newerTables struct {
	Locks     []dobot.AppHold
	Freezes   []dobot.Freeze
	Route     dobot.Route
	Binding   dobot.Binding
	Viewers   []string
	Snapshots map[string]Snapshot
	Policies  []dobot.Policy
	Lease     Lease
	Marks     map[string]dobot.DeploymentMark
}

func readNewerTables(t *testing.T, db *DB) newerTables {
	t.Helper()
	ctx := context.Background()
	var s newerTables
	var errs [9]error
	s.Locks, errs[0] = db.AppLocks(ctx)
	s.Freezes, errs[1] = db.Freezes(ctx, t0)
	s.Route, errs[2] = db.Route(ctx, "web")
	s.Binding, errs[3] = db.Binding(ctx, 2)
	s.Viewers, errs[4] = db.HomeViewers(ctx, time.Hour)
	s.Snapshots, errs[5] = db.Snapshots(ctx, []string{"r-1"})
	s.Policies, errs[6] = db.Policies(ctx)
	s.Lease, errs[7] = db.LeaseOf(ctx, "loop:ttl")
	s.Marks, errs[8] = db.DeploymentMarks(ctx)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("read back %d: %v", i, err)
		}
	}
	return s
}

// TestCopyEveryTable: `bot store copy` carries every table over, the
// newer ones too, and this test fills every table there is, so a table a
// later migration adds fails here until the test writes to it.
func TestCopyEveryTable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		srcPath := filepath.Join(t.TempDir(), "src.db")
		src, err := Open(ctx, srcPath)
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		clock := testclock.New(t0)
		src.Now = clock.Now
		fillStore(t, src, clock)
		fillNewerTables(t, src)
		key, err := ReadAuditKeyFile(AuditKeyPath(srcPath))
		if err != nil {
			t.Fatal(err)
		}
		tables, err := sqldb.UserTables(ctx, src.sql, src.d)
		if err != nil {
			t.Fatal(err)
		}
		srcRows := map[string]int64{}
		for _, tb := range tables {
			var n int64
			if err := src.sql.QueryRowContext(ctx, `SELECT count(*) FROM `+sqldb.QuoteIdent(tb)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("source table %s is empty; fill it here so that copying it is checked", tb)
			}
			srcRows[tb] = n
		}

		dst, err := Open(ctx, be.fresh(t), WithAuditKey(key))
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		dst.Now = clock.Now
		rep, err := Copy(ctx, src, dst)
		if err != nil {
			t.Fatalf("Copy = %v", err)
		}
		if !reflect.DeepEqual(rep.Rows, srcRows) {
			t.Errorf("Copy rows by table = %v; want the source's %v", rep.Rows, srcRows)
		}
		if got, want := readNewerTables(t, dst), readNewerTables(t, src); !reflect.DeepEqual(got, want) {
			t.Errorf("newer tables after Copy =\n%+v\nwant the source's\n%+v", got, want)
		}
		if _, err := dst.VerifyAudit(ctx); err != nil {
			t.Errorf("VerifyAudit on the copy = %v", err)
		}
	})
}
