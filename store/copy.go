package store

import (
	"context"

	"dobot/store/internal/copydb"
)

// CopyReport says what Copy copied: rows by table.
type CopyReport = copydb.Report

// ErrTargetNotEmpty is returned by Copy when the target already holds rows:
// copying into it would mix two histories and fork the audit chain.
var ErrTargetNotEmpty = copydb.ErrTargetNotEmpty

// Copy copies every row of every table from src into dst, which must be
// freshly opened (migrated) and empty, in one transaction of dst, keeping
// ids, times and the audit chain's hashes as they are, so the chain
// verifies on dst under the same key (see copydb.Copy).
func Copy(ctx context.Context, src, dst *DB) (CopyReport, error) {
	if err := src.flushJournal(ctx); err != nil {
		return CopyReport{}, err
	}
	return copydb.Copy(ctx, src.sql, dst.sql, dst.writeTx)
}
