package store

import (
	"context"
	"dobot/internal/testclock"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"dobot"
)

// fillStore puts rows in every table the way a running bot would.
func fillStore(t *testing.T, db *DB, clock *testClock) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SetRole(ctx, "UADMIN", dobot.RoleAdmin, "BOT_ADMINS"))
	must(db.SetRole(ctx, "UDEV", dobot.RoleDeployer, "UADMIN"))
	must(db.PutApp(ctx, dobot.App{
		Name:         "web",
		Kind:         "app",
		ResourceID:   "r-1",
		Region:       "nyc",
		Image:        "nginx",
		Owner:        "UDEV",
		Channel:      "C1",
		ThreadTS:     "1.2",
		Size:         "basic-xxs",
		Instances:    2,
		MonthlyCents: 1000,
		Adopted:      true,
		Expiry:       dobot.Expiry{ExpiresAt: t0.Add(time.Hour), Reminded: true},
	}))
	must(db.PutApp(ctx, dobot.App{Name: "api", Kind: "droplet", ResourceID: "42"}))
	must(db.SetPolicy(ctx, dobot.Policy{Action: "teardown", AppGlob: "prod-*", Role: dobot.RoleAdmin, NeedsApproval: true, UpdatedBy: "UADMIN"}))
	_, err := db.MarkHandled(ctx, "envelope-1")
	must(err)
	must(db.RecordResponseURL(ctx, "https://hooks.slack.com/commands/T1/1/x", "UDEV", "C1"))
	done, err := db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "web", Requester: "UDEV"})
	must(err)
	if _, _, err := db.Transition(ctx, done.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpSucceeded, nil); err != nil {
		t.Fatal(err)
	}
	pending, err := db.CreateOperation(ctx, dobot.Operation{
		Action:    "teardown",
		App:       "web",
		Requester: "UDEV",
		State:     dobot.OpAwaitingApproval,
		Approval:  dobot.Approval{ExpiresAt: t0.Add(time.Hour)},
	})
	must(err)
	_, _, _, err = db.Decide(ctx, pending.ID, []dobot.OpState{dobot.OpAwaitingApproval}, dobot.OpRunning, nil,
		func(op dobot.Operation) dobot.AuditEntry {
			return dobot.AuditEntry{Action: "approval.approve", Target: fmt.Sprint(op.ID), Decision: "approved"}
		})
	must(err)
	db.instance = "old-host-1"
	appendN(t, db, clock, 5)
}

// snapshot is everything a store holds, read through its API.
type snapshot struct {
	Grants   []dobot.Grant
	Apps     []dobot.App
	Policies []dobot.Policy
	Ops      []dobot.Operation
	Pending  []dobot.Operation
	Audit    []dobot.AuditEntry
}

func takeSnapshot(t *testing.T, db *DB) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	var err error
	if s.Grants, err = db.Grants(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Apps, err = db.Apps(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Policies, err = db.Policies(ctx); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); ; id++ {
		op, err := db.Operation(ctx, id)
		if errors.Is(err, dobot.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s.Ops = append(s.Ops, op)
	}
	if s.Pending, err = db.PendingCards(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Audit, err = db.Audit(ctx, dobot.AuditFilter{Limit: maxAuditLimit}); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCopy copies a SQLite store into each backend: everything arrives, the
// audit chain verifies there with the same ids and hashes, new rows go on
// from where the source stopped, and a second copy is refused.
func TestCopy(t *testing.T) {
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
		key, err := ReadAuditKeyFile(AuditKeyPath(srcPath))
		if err != nil {
			t.Fatal(err)
		}
		srcRep, err := src.VerifyAuditTrail(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}

		target := be.fresh(t)
		dst, err := Open(ctx, target, WithAuditKey(key))
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		dst.Now = clock.Now
		rep, err := Copy(ctx, src, dst)
		if err != nil {
			t.Fatalf("Copy = %v", err)
		}
		if rep.Rows["audit"] != int64(srcRep.Rows) || rep.Rows["operations"] != 2 || rep.Rows["handled"] != 1 || rep.Rows["response_urls"] != 1 {
			t.Errorf("Copy report = %+v; want every row of every table", rep)
		}
		if got, want := takeSnapshot(t, dst), takeSnapshot(t, src); !reflect.DeepEqual(got, want) {
			t.Errorf("target after Copy =\n%+v\nwant the source's\n%+v", got, want)
		}
		dstRep, err := dst.VerifyAuditTrail(ctx, &AuditCheckpoint{ID: srcRep.HeadID, HashPrefix: srcRep.HeadHash[:12]})
		if err != nil || dstRep != srcRep {
			t.Errorf("VerifyAuditTrail on the copy = %+v, %v; want %+v", dstRep, err, srcRep)
		}
		if first, err := dst.MarkHandled(ctx, "envelope-1"); err != nil || first {
			t.Errorf("MarkHandled(copied key) = %v, %v; want it known", first, err)
		}
		op, err := dst.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "api"})
		if err != nil || op.ID != 3 {
			t.Errorf("CreateOperation on the copy = %d, %v; want id 3, after the copied ones", op.ID, err)
		}
		if _, err := dst.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "web"}); !errors.As(err, new(*dobot.BusyError)) {
			t.Errorf("CreateOperation(web) on the copy = %v; want busy: the copied teardown holds web", err)
		}
		e, err := dst.AppendAudit(ctx, dobot.AuditEntry{Action: "launch", Target: "api"})
		if err != nil || e.ID != srcRep.HeadID+1 || e.PrevHash != srcRep.HeadHash {
			t.Errorf("AppendAudit on the copy = %+v, %v; want row %d chained to the source's head", e, err, srcRep.HeadID+1)
		}
		if _, err := dst.VerifyAudit(ctx); err != nil {
			t.Errorf("VerifyAudit after appending to the copy = %v", err)
		}

		if _, err := Copy(ctx, src, dst); !errors.Is(err, ErrTargetNotEmpty) {
			t.Errorf("second Copy into the same target = %v; want ErrTargetNotEmpty", err)
		}
		if n, _ := dst.AuditCount(ctx); n != int(srcRep.Rows)+1 {
			t.Errorf("audit rows after the refused copy = %d; want %d, nothing added", n, srcRep.Rows+1)
		}
	})
}
