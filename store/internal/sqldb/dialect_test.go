package sqldb

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{`SELECT '?', "a?b", ? FROM t WHERE x = 'it''s ?'`, `SELECT '?', "a?b", $1 FROM t WHERE x = 'it''s ?'`},
	}
	for _, tt := range tests {
		if got := Postgres.Rebind(tt.in); got != tt.want {
			t.Errorf("postgres rebind(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if got := SQLite.Rebind(tt.in); got != tt.in {
			t.Errorf("sqlite rebind(%q) = %q; want it unchanged", tt.in, got)
		}
	}
}
