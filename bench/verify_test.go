package bench

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dobot/store"
)

// auditHashV3 is the store's keyed audit hash (store/audit.go,
// keyedAuditHash) for a row with an instance: HMAC-SHA-256 under the audit
// key of "dobot audit v3", the id, the stored time text and every field,
// each led by its length. It is written out again here only to build a
// large valid chain fast; were the two to differ, `bot audit verify` would
// fail the measurement rather than pass it.
func auditHashV3(key []byte, id int64, fields ...string) string {
	buf := make([]byte, 0, 512)
	all := append([]string{"dobot audit v3", strconv.FormatInt(id, 10)}, fields...)
	for _, f := range all {
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(buf)
	return hex.EncodeToString(mac.Sum(nil))
}

// fillKeyedAudit creates the store at path with store.Open (which writes
// its audit key file beside it) and appends n rows that form a valid keyed
// chain, straight through database/sql in one transaction: appending a
// million rows one AppendAudit at a time would take minutes.
func fillKeyedAudit(ctx context.Context, path string, n int) error {
	db, err := store.Open(ctx, path, store.WithInstance("bench"))
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	key, err := store.ReadAuditKeyFile(store.AuditKeyPath(path))
	if err != nil {
		return err
	}
	return rawTx(ctx, path, func(tx *sql.Tx) error {
		var last int64
		prev := ""
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM audit`).Scan(&last); err != nil {
			return err
		}
		if last != 0 {
			return fmt.Errorf("new store has %d audit rows; want none", last)
		}
		stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO audit (id, time, user_id, user_name, channel, command_text, action,
			target, decision, outcome, error, details, prev_hash, hash, instance)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		base := auditBase(n)
		for i := range n {
			id := int64(i + 1)
			f := append(auditFields(base, i), prev)
			hash := auditHashV3(key, id, append(f, "bench")...)
			if _, err := stmt.ExecContext(ctx, id, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], prev, hash, "bench"); err != nil {
				return fmt.Errorf("insert row %d: %w", id, err)
			}
			prev = hash
		}
		return nil
	})
}

// measureAuditVerify times `bot audit verify`, the real binary as an
// operator runs it, over sz.verifyRows keyed rows.
func measureAuditVerify(t *testing.T, sz sizes, res *results) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "verify.db")
	start := time.Now()
	if err := fillKeyedAudit(ctx, path, sz.verifyRows); err != nil {
		t.Fatalf("fill the audit trail: %v", err)
	}
	res.note("audit verify: %d keyed rows written in %s (one transaction, hashes computed as the store does)", sz.verifyRows, ms(time.Since(start)))
	var took []time.Duration
	for range sz.verifyRuns {
		cmd := exec.Command(botBinary, "audit", "verify")
		cmd.Env = []string{"BOT_DB=" + path}
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		took = append(took, time.Since(t0))
		if err != nil {
			t.Fatalf("bot audit verify: %v\n%s", err, out)
		}
		if want := fmt.Sprintf("audit trail intact: %d rows", sz.verifyRows); !strings.Contains(string(out), want) {
			t.Fatalf("bot audit verify said %q; want %q", out, want)
		}
	}
	took = sortDurations(took)
	res.add(fmt.Sprintf("`bot audit verify` over %d keyed audit rows (SQLite, process start → exit)", sz.verifyRows),
		"≤ 10 s",
		fmt.Sprintf("p50 %s, max %s over %d runs", ms(percentile(took, 50)), ms(took[len(took)-1]), len(took)),
		percentile(took, 50) <= 10*time.Second)
}
