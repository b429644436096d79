// Package copydb copies a store's every row into another, empty one, on
// either dialect: `bot store copy`, for moving from SQLite to PostgreSQL.
package copydb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"dobot/store/internal/sqldb"
)

// ErrTargetNotEmpty is returned by Copy when the target already holds rows:
// copying into it would mix two histories and fork the audit chain.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// Report says what Copy copied: rows by table.
type Report struct {
	Tables []string // in the order copied
	Rows   map[string]int64
}

// Copy copies every row of every table from src into dst, which must be
// freshly opened (migrated) and empty, in one transaction of dst: ids,
// times and the audit chain's hashes are kept as they are, so the chain
// verifies on dst under the same key, and the highest audit id ever handed
// out is carried over. The tables are whatever src has beside
// schema_migrations, so tables added by later migrations are copied too;
// columns are matched by name. Both stores must be on the same migrations.
// dstTx runs dst's write transactions.
func Copy(ctx context.Context, src, dst sqldb.Conn, dstTx sqldb.WriteTx) (Report, error) {
	rep := Report{Rows: map[string]int64{}}
	if err := sameMigrations(ctx, src, dst); err != nil {
		return rep, fmt.Errorf("copy store: %w", err)
	}
	tables, err := sqldb.UserTables(ctx, src, src.D)
	if err != nil {
		return rep, fmt.Errorf("copy store: list tables: %w", err)
	}
	// The audit table goes last, so a reader of a half-made copy never
	// sees an audit row for state that is not there yet (it is one
	// transaction anyway).
	slices.SortStableFunc(tables, func(a, b string) int {
		switch {
		case a == "audit" && b != "audit":
			return 1
		case b == "audit" && a != "audit":
			return -1
		}
		return strings.Compare(a, b)
	})
	seq, err := sqldb.AuditSequence(ctx, src, src.D)
	if err != nil {
		return rep, fmt.Errorf("copy store: %w", err)
	}
	err = dstTx(ctx, func(tx *sqldb.Txn) error {
		dstTables, err := sqldb.UserTables(ctx, tx, dst.D)
		if err != nil {
			return fmt.Errorf("list target tables: %w", err)
		}
		for _, t := range dstTables {
			var has int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+sqldb.QuoteIdent(t)+` LIMIT 1) AS x`).Scan(&has)
			if err != nil {
				return fmt.Errorf("check target table %s: %w", t, err)
			}
			if has > 0 {
				return fmt.Errorf("%w: table %s has rows; copy only into a new, empty database", ErrTargetNotEmpty, t)
			}
		}
		for _, t := range tables {
			if !slices.Contains(dstTables, t) {
				return fmt.Errorf("table %s is not in the target; are both on the same version of dobot?", t)
			}
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("table %s: %w", t, err)
			}
			rep.Tables = append(rep.Tables, t)
			rep.Rows[t] = n
		}
		if dst.D.AfterCopy != nil {
			if err := dst.D.AfterCopy(ctx, tx); err != nil {
				return fmt.Errorf("after copying: %w", err)
			}
		}
		if seq > 0 {
			if _, err := tx.ExecContext(ctx, dst.D.RaiseAuditSequence, seq); err != nil {
				return fmt.Errorf("carry the audit sequence over: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("copy store: %w", err)
	}
	return rep, nil
}

// copyTable copies table t from src into tx, column by column name, and
// returns how many rows it copied.
func copyTable(ctx context.Context, src sqldb.Conn, tx *sqldb.Txn, t string) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+sqldb.QuoteIdent(t))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	// The target's column types say which values to convert: SQLite keeps
	// flags as 0/1 where PostgreSQL has BOOLEAN.
	probe, err := tx.QueryContext(ctx, `SELECT * FROM `+sqldb.QuoteIdent(t)+` LIMIT 0`)
	if err != nil {
		return 0, err
	}
	types, err := probe.ColumnTypes()
	probe.Close()
	if err != nil {
		return 0, err
	}
	boolCol := map[string]bool{}
	for _, ct := range types {
		boolCol[ct.Name()] = strings.EqualFold(ct.DatabaseTypeName(), "BOOL") || strings.EqualFold(ct.DatabaseTypeName(), "BOOLEAN")
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = sqldb.QuoteIdent(c)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+sqldb.QuoteIdent(t)+` (`+strings.Join(quoted, ", ")+
		`) VALUES (`+strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+`)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()

	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range cols {
			switch v := vals[i].(type) {
			case int64:
				if boolCol[c] {
					vals[i] = v != 0
				}
			case []byte: // text as some drivers hand it back
				vals[i] = string(v)
			}
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	return n, rows.Err()
}

// sameMigrations refuses a copy between stores on different migrations:
// their tables would not match.
func sameMigrations(ctx context.Context, a, b sqldb.Conn) error {
	names := func(db sqldb.Conn) ([]string, error) {
		rows, err := db.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, rows.Err()
	}
	an, err := names(a)
	if err != nil {
		return fmt.Errorf("read source migrations: %w", err)
	}
	bn, err := names(b)
	if err != nil {
		return fmt.Errorf("read target migrations: %w", err)
	}
	if !slices.Equal(an, bn) {
		return fmt.Errorf("the source has migrations %v and the target %v; open both with this version of dobot first", an, bn)
	}
	return nil
}
