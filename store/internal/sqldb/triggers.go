package sqldb

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
)

// Break is a schema check's finding: the audit table's protection is not
// what the migrations made.
type Break struct{ Reason string }

func (b *Break) Error() string { return b.Reason }

// CheckTriggers compares the database's triggers with the ones the
// applied migrations in fsys created: each must exist with the same SQL and
// fire, and the audit table must have no others. On PostgreSQL the functions
// those triggers call must also have the source the migrations gave them.
// Only migrations the database lists count, so a database missing a newer
// migration still verifies; the first one, which made the audit table and
// its triggers, must be listed.
func CheckTriggers(ctx context.Context, tx *Txn, fsys fs.FS) error {
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return err
	}
	const first = "0001_init.sql"
	if !applied[first] {
		return &Break{Reason: "schema_migrations does not list " + first + ", which created the audit table and its append-only triggers: it was edited"}
	}
	want, funcs, err := migrationTriggers(fsys, applied, tx.D)
	if err != nil {
		return err
	}
	have := map[string]string{}
	rows, err := tx.QueryContext(ctx, tx.D.Triggers)
	if err != nil {
		return fmt.Errorf("verify audit: read triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name, table, text string
			enabled           bool
		)
		if err := rows.Scan(&name, &table, &text, &enabled); err != nil {
			return fmt.Errorf("verify audit: read triggers: %w", err)
		}
		name = strings.ToLower(name)
		if _, ok := want[name]; !ok && strings.EqualFold(table, "audit") {
			return &Break{Reason: fmt.Sprintf("trigger %s on the audit table was not created by any migration: it was added by hand", name)}
		}
		if !enabled {
			return &Break{Reason: fmt.Sprintf("trigger %s is disabled (it does not fire in ordinary sessions), so the database no longer refuses edits of audit rows", name)}
		}
		have[name] = normalizeSQL(schemaQualifier.ReplaceAllString(text, "ON "))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit: read triggers: %w", err)
	}
	for _, name := range sortedKeys(want) {
		got, ok := have[name]
		switch {
		case !ok:
			return &Break{Reason: fmt.Sprintf("trigger %s is missing: it was dropped, so the database no longer refuses edits of audit rows", name)}
		case got != want[name]:
			return &Break{Reason: fmt.Sprintf("trigger %s is not the one the migrations created: it was replaced", name)}
		}
	}
	return checkTriggerFunctions(ctx, tx, funcs)
}

// appliedMigrations is the set of migrations schema_migrations lists.
func appliedMigrations(ctx context.Context, tx *Txn) (map[string]bool, error) {
	applied := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("verify audit: read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("verify audit: read schema_migrations: %w", err)
		}
		applied[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify audit: read schema_migrations: %w", err)
	}
	return applied, nil
}

// migrationTriggers reads the applied migrations in fsys, in order, and
// returns the triggers they leave (name → normalized SQL) and the
// functions they define (name → normalized body).
func migrationTriggers(fsys fs.FS, applied map[string]bool, d *Dialect) (want, funcs map[string]string, err error) {
	want, funcs = map[string]string{}, map[string]string{}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, nil, fmt.Errorf("verify audit: list migrations: %w", err)
	}
	for _, name := range names { // fs.Glob sorts, as migrate does
		if !applied[name] {
			continue
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, fmt.Errorf("verify audit: read migration %s: %w", name, err)
		}
		for _, m := range d.TriggerStatement.FindAllStringSubmatch(string(body), -1) {
			if m[1] != "" {
				want[strings.ToLower(m[2])] = normalizeSQL(m[1])
			} else {
				delete(want, strings.ToLower(m[3]))
			}
		}
		if d.FunctionStatement != nil {
			for _, m := range d.FunctionStatement.FindAllStringSubmatch(string(body), -1) {
				funcs[strings.ToLower(m[1])] = normalizeSQL(m[2])
			}
		}
	}
	return want, funcs, nil
}

// schemaQualifier is the schema PostgreSQL names before a trigger's table.
var schemaQualifier = regexp.MustCompile(`(?i)\bON\s+"?\w+"?\.`)

// checkTriggerFunctions checks that each function in want (PostgreSQL's
// trigger functions) still has the body the migrations gave it: replacing
// the body would silence a trigger without touching it.
func checkTriggerFunctions(ctx context.Context, tx *Txn, want map[string]string) error {
	if tx.D.Functions == "" || len(want) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, tx.D.Functions)
	if err != nil {
		return fmt.Errorf("verify audit: read functions: %w", err)
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var name, src string
		if err := rows.Scan(&name, &src); err != nil {
			return fmt.Errorf("verify audit: read functions: %w", err)
		}
		have[strings.ToLower(name)] = normalizeSQL(src)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit: read functions: %w", err)
	}
	for _, name := range sortedKeys(want) {
		got, ok := have[name]
		switch {
		case !ok:
			return &Break{Reason: fmt.Sprintf("function %s, which the audit triggers call, is missing", name)}
		case got != want[name]:
			return &Break{Reason: fmt.Sprintf("function %s, which the audit triggers call, is not the one the migrations created: it was replaced", name)}
		}
	}
	return nil
}

// normalizeSQL makes two layouts of one statement compare equal: SQLite
// keeps a statement's text as written, and IF NOT EXISTS is dropped in case
// a version of it leaves that out.
func normalizeSQL(s string) string {
	f := strings.Fields(s)
	out := f[:0]
	for i := 0; i < len(f); i++ {
		if i+2 < len(f) && strings.EqualFold(f[i], "IF") && strings.EqualFold(f[i+1], "NOT") && strings.EqualFold(f[i+2], "EXISTS") {
			i += 2
			continue
		}
		out = append(out, f[i])
	}
	return strings.Join(out, " ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
