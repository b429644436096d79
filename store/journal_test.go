package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/store/internal/auditjournal"
)

// auditRows counts the rows of the audit table without going through the
// store, which would commit the journal first.
func auditRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRowContext(context.Background(), `SELECT count(*) FROM audit`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func started(action string) dobot.AuditEntry {
	return dobot.AuditEntry{UserID: "U1", Channel: "C1", CommandText: action, Action: action, Decision: "allowed", Outcome: "started"}
}

// holdCommits stops db's committer, so journaled rows wait for a write or
// a read of the trail.
func holdCommits(db *DB) { db.detachJournal() }

func TestJournaledRowsJoinTheTrailInOrder(t *testing.T) {
	db, _, _ := openTest(t)
	holdCommits(db)
	ctx := context.Background()
	if err := db.JournalAudit(WithNewEnvelope(ctx, "cmd:a", "https://hooks.slack.test/a", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, db); n != 0 {
		t.Fatalf("a journaled row is in the table before any commit (%d rows)", n)
	}
	// A row written directly commits the journaled one first, in its own
	// transaction, so the trail keeps the order the rows were written in.
	if _, err := db.AppendAudit(ctx, started("launch")); err != nil {
		t.Fatal(err)
	}
	if err := db.JournalAudit(WithNewEnvelope(ctx, "cmd:c", "", "U1", "C1"), started("list")); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Audit(ctx, dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i := len(rows) - 1; i >= 0; i-- {
		order = append(order, rows[i].Action)
	}
	if got := strings.Join(order, ","); got != "status,launch,list" {
		t.Errorf("trail = %s; want status,launch,list", got)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Errorf("the chain does not verify with journaled rows: %v", err)
	}
	if n := handledKeys(t, db, "cmd:a"); n != 1 {
		t.Errorf("journaled claim cmd:a recorded %d times; want 1", n)
	}
	// The response_url came with the claim, and is usable.
	if ok, user, err := db.UseResponseURL(ctx, "https://hooks.slack.test/a", 5, time.Hour); err != nil || !ok || user != "U1" {
		t.Errorf("UseResponseURL of the journaled envelope = %v, %q, %v; want true, U1", ok, user, err)
	}
}

func TestJournaledClaimRefusesItsKeyAgain(t *testing.T) {
	db, _, _ := openTest(t)
	holdCommits(db)
	ctx := context.Background()
	if err := db.JournalAudit(WithNewEnvelope(ctx, "cmd:k", "", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	// While pending, and once committed, the key is taken.
	if err := db.JournalAudit(WithNewEnvelope(ctx, "cmd:k", "", "U1", "C1"), started("status")); !errors.Is(err, dobot.ErrAlreadyHandled) {
		t.Errorf("journaling a pending key again = %v; want ErrAlreadyHandled", err)
	}
	if _, err := db.AppendAudit(WithEnvelope(ctx, "cmd:k", "", "U1", "C1"), started("status")); !errors.Is(err, dobot.ErrAlreadyHandled) {
		t.Errorf("a redelivery of a journaled key = %v; want ErrAlreadyHandled", err)
	}
	// A first delivery cannot have been handled before; if a server sends
	// one twice anyway, the second row is dropped at commit, not doubled.
	// (The refused append above rolled back, the journaled row with it.)
	if err := db.flushJournal(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.JournalAudit(WithNewEnvelope(ctx, "cmd:k", "", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	if n, err := db.AuditCount(ctx); err != nil || n != 1 {
		t.Errorf("audit rows = %d, %v; want 1", n, err)
	}
	if db.journal.Pending() != 0 {
		t.Errorf("%d rows still pending after a read of the trail", db.journal.Pending())
	}
}

func TestRedeliveredOrLaterRowsAreWrittenAtOnce(t *testing.T) {
	db, _, _ := openTest(t)
	holdCommits(db)
	ctx := context.Background()
	if err := db.JournalAudit(WithEnvelope(ctx, "cmd:r", "", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, db); n != 1 {
		t.Fatalf("a redelivery's row: %d rows in the table; want 1 at once", n)
	}
	if err := db.JournalAudit(ctx, started("status")); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, db); n != 2 {
		t.Fatalf("a row without an envelope: %d rows in the table; want 2 at once", n)
	}
	env := WithNewEnvelope(ctx, "cmd:n", "", "U1", "C1")
	if err := db.JournalAudit(env, started("status")); err != nil {
		t.Fatal(err)
	}
	if err := db.JournalAudit(env, dobot.AuditEntry{Action: "status", Outcome: "error"}); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, db); n != 4 {
		t.Errorf("the envelope's second row: %d rows in the table; want 4 (it commits the first with it)", n)
	}
}

func TestCommitterCommitsJournaledRowsUnasked(t *testing.T) {
	db, _, _ := openTest(t)
	if db.detachJournal == nil {
		t.Fatal("Open attached no committer to the journal")
	}
	// The store's own commit, told apart only by saying when it has run;
	// the committer uses the commit attached last.
	committed := make(chan error, 1)
	defer db.journal.Attach(func() error {
		err := db.flushJournal(context.Background())
		select {
		case committed <- err:
		default:
		}
		return err
	})()
	if err := db.JournalAudit(WithNewEnvelope(context.Background(), "cmd:u", "", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-committed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the committer did not commit a journaled row within 10 s")
	}
	if n := auditRows(t, db); n != 1 {
		t.Errorf("%d rows in the table after the committer ran; want 1", n)
	}
}

func TestCloseCommitsJournaledRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	holdCommits(db)
	url := "https://hooks.slack.com/commands/T1/secret-part"
	if err := db.JournalAudit(WithNewEnvelope(context.Background(), "cmd:c", url, "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(auditjournal.Path(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || strings.Contains(string(b), "secret-part") {
		t.Fatalf("journal holds %d bytes, response_url in clear: %v", len(b), strings.Contains(string(b), "secret-part"))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(auditjournal.Path(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left after Close: %v", err)
	}
	db, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := auditRows(t, db); n != 1 {
		t.Errorf("after Close and Open: %d rows; want 1", n)
	}
}

// TestJournaledRowSurvivesAKill runs a child process that journals a row
// and is killed with SIGKILL before anything commits it; the next Open
// commits it, claim and all.
func TestJournaledRowSurvivesAKill(t *testing.T) {
	if path := os.Getenv("DOBOT_JOURNAL_CHILD"); path != "" {
		journalAndWait(path)
		return
	}
	path := filepath.Join(t.TempDir(), "dobot.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournaledRowSurvivesAKill$")
	cmd.Env = append(os.Environ(), "DOBOT_JOURNAL_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "journaled" {
	}
	if lines.Err() != nil {
		t.Fatal(lines.Err())
	}
	// Still running: the row is in the journal and not in the database.
	ro, err := OpenReadOnly(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, ro); n != 0 {
		t.Fatalf("the child committed its row (%d rows) before the kill; the test proves nothing", n)
	}
	ro.Close()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil || len(rows) != 1 || rows[0].Action != "status" || rows[0].CommandText != "status" {
		t.Fatalf("after the kill and Open: %+v, %v; want the journaled status row", rows, err)
	}
	if _, err := db.VerifyAudit(context.Background()); err != nil {
		t.Errorf("chain after replay: %v", err)
	}
	if _, err := db.AppendAudit(WithEnvelope(context.Background(), "cmd:killed", "", "U1", "C1"), started("status")); !errors.Is(err, dobot.ErrAlreadyHandled) {
		t.Errorf("redelivery after replay = %v; want ErrAlreadyHandled", err)
	}
}

// journalAndWait is the child of TestJournaledRowSurvivesAKill.
func journalAndWait(path string) {
	db, err := Open(context.Background(), path)
	if err != nil {
		os.Exit(2)
	}
	holdCommits(db)
	if err := db.JournalAudit(WithNewEnvelope(context.Background(), "cmd:killed", "", "U1", "C1"), started("status")); err != nil {
		os.Exit(3)
	}
	os.Stdout.WriteString("journaled\n")
	select {} // until killed
}

// TestJournalCommitKeepsCachedReads: committing journaled rows alone
// changes no role, app or operation, so it keeps the cached reads; any
// other commit drops them.
func TestJournalCommitKeepsCachedReads(t *testing.T) {
	db, _, path := openTest(t)
	holdCommits(db)
	ctx := context.Background()
	if err := db.SetRole(ctx, "U1", dobot.RoleAdmin, "seed"); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Role(ctx, "U1"); err != nil || r != dobot.RoleAdmin {
		t.Fatalf("Role = %v, %v", r, err)
	}
	// Behind the store's back, so only a dropped cache shows it.
	if _, err := rawOpen(t, path).Exec(`UPDATE roles SET role = ? WHERE user_id = 'U1'`, int(dobot.RoleViewer)); err != nil {
		t.Fatal(err)
	}
	if err := db.JournalAudit(WithNewEnvelope(ctx, "cmd:keep", "", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	if err := db.flushJournal(ctx); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, db); n != 1 {
		t.Fatalf("%d rows after the flush; want 1", n)
	}
	if r, _ := db.Role(ctx, "U1"); r != dobot.RoleAdmin {
		t.Errorf("after a commit of journaled rows alone, Role = %v; want the cached admin", r)
	}
	if _, err := db.AppendAudit(ctx, started("launch")); err != nil {
		t.Fatal(err)
	}
	if r, _ := db.Role(ctx, "U1"); r != dobot.RoleViewer {
		t.Errorf("after another commit, Role = %v; want viewer, read again", r)
	}
}

// TestStoresOnOneFileShareTheJournal: two stores open on one file in this
// process (the lock file lets them) share one journal, so each reads the
// other's journaled rows, and closing one leaves the other's working.
func TestStoresOnOneFileShareTheJournal(t *testing.T) {
	ctx := context.Background()
	a, b, _ := openTwice(t)
	defer b.Close()
	if a.journal != b.journal {
		t.Fatal("two stores on one file have a journal each; they would empty each other's")
	}
	holdCommits(a)
	holdCommits(b)
	if err := a.JournalAudit(WithNewEnvelope(ctx, "cmd:a", "", "U1", "C1"), started("status")); err != nil {
		t.Fatal(err)
	}
	if n, err := b.AuditCount(ctx); err != nil || n != 1 {
		t.Errorf("the other store counts %d rows, %v; want a's journaled row", n, err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.JournalAudit(WithNewEnvelope(ctx, "cmd:b", "", "U1", "C1"), started("status")); err != nil {
		t.Fatalf("journaling after the other store closed = %v", err)
	}
	if n, err := b.AuditCount(ctx); err != nil || n != 2 {
		t.Errorf("%d rows, %v; want 2", n, err)
	}
}

// TestUnwritableJournalFallsBackToTheDatabase: a journal that cannot take
// a row (here closed under the store) does not stop the command: the row
// and its claim go to the database at once.
func TestUnwritableJournalFallsBackToTheDatabase(t *testing.T) {
	db, _, _ := openTest(t)
	holdCommits(db)
	if err := db.journal.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := WithNewEnvelope(context.Background(), "cmd:full", "", "U1", "C1")
	if err := db.JournalAudit(ctx, started("status")); err != nil {
		t.Fatalf("JournalAudit with an unwritable journal = %v; want the row stored anyway", err)
	}
	if n := auditRows(t, db); n != 1 {
		t.Errorf("%d rows in the table; want 1 at once", n)
	}
	if n := handledKeys(t, db, "cmd:full"); n != 1 {
		t.Errorf("claim recorded %d times; want 1", n)
	}
}

// TestWritesRacingCloseEndCleanly closes the store while writers, journaled
// and not, are still running, as a background operation may at shutdown
// (CI once caught Close clearing a field a write was reading). Every row a
// writer was told is stored is in the trail after reopening, every later
// write fails with an error rather than a panic, and a second Close is
// harmless. Run under -race, as the suite is.
func TestWritesRacingCloseEndCleanly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	const writers = 4
	stored := make(chan int, writers)
	wrote := make(chan struct{}, writers*2)
	for w := range writers {
		go func() {
			n := 0
			for i := 0; ; i++ {
				var err error
				// Each writer alternates, so journaled rows cannot pile
				// up faster than writes commit them.
				if i%2 == 0 {
					ctx := WithNewEnvelope(context.Background(), fmt.Sprintf("cmd:%d-%d", w, i), "", "U1", "C1")
					err = db.JournalAudit(ctx, started("status"))
				} else {
					_, err = db.AppendAudit(context.Background(), started("launch"))
				}
				if err != nil {
					stored <- n
					return
				}
				n++
				if n == 2 {
					wrote <- struct{}{}
				}
			}
		}()
	}
	for range writers {
		<-wrote // every writer has stored rows before Close begins
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	total := 0
	for range writers {
		total += <-stored
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close() = %v; want nil", err)
	}
	db, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.AuditCount(context.Background()); err != nil || n != total {
		t.Errorf("after reopening: %d rows, %v; want the %d the writers were told were stored", n, err, total)
	}
	if _, err := db.VerifyAuditTrail(context.Background(), nil); err != nil {
		t.Errorf("VerifyAuditTrail() = %v", err)
	}
}
