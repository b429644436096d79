package sqldb

import (
	"net/url"
	"strings"
)

// IsPostgres reports whether target names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(target string) bool {
	lower := strings.ToLower(target)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// RedactURL returns target fit to print: a database URL with its password
// replaced by xxxxx, and a file path as it is. A URL that does not parse is
// not printed at all, since where its password sits is unknown.
func RedactURL(target string) string {
	if !IsPostgres(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://(unparseable URL)"
	}
	// A password may also come as a query parameter.
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// passwordOf returns the password in a database URL, "" for none.
func passwordOf(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	if p, ok := u.User.Password(); ok {
		return p
	}
	return u.Query().Get("password")
}

// redactedError keeps a password out of an error's text while keeping the
// error's chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactErr wraps err so that its text never holds target's password, in
// case a driver quotes the connection string.
func RedactErr(target string, err error) error {
	if err == nil {
		return nil
	}
	pw := passwordOf(target)
	msg := err.Error()
	if pw == "" || !strings.Contains(msg, pw) {
		return err
	}
	msg = strings.ReplaceAll(msg, pw, "xxxxx")
	if esc := url.QueryEscape(pw); esc != pw {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	return &redactedError{msg: msg, err: err}
}
