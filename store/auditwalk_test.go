package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestVerifyReportsTheFirstFault: verify reads rows and checks their hashes
// in two goroutines, batch by batch; with two faults in the trail it must
// still name the earlier one, whichever check finds it and wherever the
// batches break.
func TestVerifyReportsTheFirstFault(t *testing.T) {
	changed := func(id int) string { return fmt.Sprintf(`UPDATE audit SET details = 'forged' WHERE id = %d`, id) }
	unlinked := func(id int) string { return fmt.Sprintf(`UPDATE audit SET prev_hash = 'ffff' WHERE id = %d`, id) }
	const rows = verifyBatch + 100
	tests := []struct {
		name  string
		edits []string
		want  int64
	}{
		{"changed row before a broken link, one batch", []string{changed(3), unlinked(7)}, 3},
		{"broken link before a changed row, one batch", []string{unlinked(3), changed(7)}, 3},
		{"changed row in the first batch, broken link in the second", []string{changed(100), unlinked(verifyBatch + 50)}, 100},
		{"broken link in the first batch, changed row in the second", []string{unlinked(100), changed(verifyBatch + 50)}, 100},
		{"changed last row", []string{changed(rows)}, rows},
	}
	// One trail, copied for each case.
	fixture := filepath.Join(t.TempDir(), "dobot.db")
	db, err := Open(context.Background(), fixture)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: t0}
	db.Now = clock.Now
	appendN(t, db, clock, rows)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dobot.db")
			for _, f := range [][2]string{{fixture, path}, {AuditKeyPath(fixture), AuditKeyPath(path)}} {
				b, err := os.ReadFile(f[0])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f[1], b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			restoreTriggers(t, tamper(t, path, tt.edits...))
			db, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rep, err := db.VerifyAuditTrail(context.Background(), nil)
			var brk *AuditBreak
			if !errors.As(err, &brk) || brk.Row != tt.want {
				t.Errorf("VerifyAuditTrail = %+v, %v; want a break at row %d", rep, err, tt.want)
			}
		})
	}
}
