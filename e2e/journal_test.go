package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"dobot"
	"dobot/store"
)

// TestReadOnlyRowsSurviveAKill: a read-only command's audit row is in the
// journal beside the SQLite file before its answer goes out, and commits
// in a batch later. The real binary killed with SIGKILL after the answers
// and before that commit loses none of them: the restarted bot commits
// what the journal holds, and the trail has a row for every answer.
func TestReadOnlyRowsSurviveAKill(t *testing.T) {
	w := newWorld(t)
	journal := store.AuditJournalPath(w.dbPath)
	answered := 0
	// The batch commits about 100 ms after the first row; a kill that
	// comes later than that proves nothing about the journal, so try again.
	for attempt := 0; ; attempt++ {
		if attempt == 5 {
			t.Fatal("in 5 attempts the bot was never killed with a row still in its journal")
		}
		for i := range 3 {
			ch := fmt.Sprintf("CJ%d%d", attempt, i)
			w.runIn(ch, viewer, "status")
			w.waitMessage("status answer in "+ch, func(m slacktestMessage) bool {
				return m.Method == "chat.postEphemeral" && m.Channel == ch && m.User == viewer
			})
			answered++
		}
		w.kill()
		if st, err := os.Stat(journal); err == nil && st.Size() > 0 {
			break // killed with rows in the journal, not yet in the database
		}
		w.start()
	}
	w.start() // commits the journal at open
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v\n%s", err, w.logs)
	}
	if _, err := os.Stat(journal); !os.IsNotExist(err) {
		t.Errorf("the journal is still there after a clean stop: %v", err)
	}
	db, err := store.Open(context.Background(), w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Audit(context.Background(), dobot.AuditFilter{Action: "status", UserID: viewer, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != answered {
		t.Errorf("%d status rows in the trail; want one for each of the %d answers", len(rows), answered)
	}
	if _, err := db.VerifyAudit(context.Background()); err != nil {
		t.Errorf("the trail does not verify after the replay: %v", err)
	}
}
