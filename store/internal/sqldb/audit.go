package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// AuditSequence is the highest audit id ever inserted, 0 for none: SQLite's
// sqlite_sequence, or the audit_sequence row a PostgreSQL trigger keeps.
func AuditSequence(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, d *Dialect) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, d.AuditSequence).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read audit sequence: %w", err)
	}
	return seq, nil
}
