package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// DSN builds the connection string. The pragmas live in it, not in a one-off
// Exec, because database/sql opens connections lazily and each one needs them.
// _txlock=immediate makes every write transaction take the write lock at
// BEGIN, so another process writing the file cannot make it fail midway.
func DSN(path string) string {
	// The "file:" form passes the name to SQLite as a URI, in which these
	// characters mean something; escape them so any path opens as itself.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc +
		"?_pragma=busy_timeout(5000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_pragma=wal_autocheckpoint(0)" + // see Checkpointer
		"&_txlock=immediate"
}

// ReadOnlyDSN is the connection string that opens the SQLite file at path
// to read only. When no -wal file exists no process has the database open,
// so it is opened immutable: SQLite would otherwise create -wal and -shm
// files beside it and leave them behind.
func ReadOnlyDSN(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	d := "file:" + esc + "?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		d += "&immutable=1"
	}
	return d
}

// CreatePrivate creates the database file 0600 before SQLite opens it, so it
// is never readable by others whatever the umask. SQLite gives the -wal and
// -shm files the database file's mode. An existing file keeps its mode.
func CreatePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := errors.Join(f.Chmod(0o600), f.Close()); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return nil
}

// MatchSidecarModes gives the -wal and -shm files no more access than the
// database file. SQLite already creates them that way; this also corrects
// ones left by an older version that created them with the umask's mode.
func MatchSidecarModes(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	want := st.Mode().Perm()
	for _, side := range []string{path + "-wal", path + "-shm"} {
		sst, err := os.Stat(side)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if sst.Mode().Perm()&^want != 0 {
			if err := os.Chmod(side, sst.Mode().Perm()&want); err != nil {
				return fmt.Errorf("restrict %s: %w", side, err)
			}
		}
	}
	return nil
}

// OpenPostgres opens a pgx pool through database/sql and checks that the server
// answers and is PostgreSQL 14 or later.
func OpenPostgres(ctx context.Context, target string, conns int) (*sql.DB, error) {
	sqldb, err := sql.Open("pgx", target)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(conns)
	sqldb.SetMaxIdleConns(conns)
	var version int
	err = sqldb.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version)
	if err == nil && version < 140000 {
		err = fmt.Errorf("PostgreSQL %d.%d is too old: dobot needs 14 or later", version/10000, version%10000)
	}
	if err != nil {
		sqldb.Close()
		return nil, err
	}
	return sqldb, nil
}

// WithParam returns the URL target with the query parameter name set to
// value; pgx passes unknown parameters to the server as settings.
func WithParam(target, name, value string) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", errors.New("the database URL does not parse")
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
