package sqldb

import (
	"fmt"
	"time"
)

// timeLayout is RFC 3339 with all nine fractional digits and UTC only. A
// fixed width makes stored times sort as text, which RFC3339Nano (trimming
// trailing zeros) does not.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime renders t for storage; the zero time is stored as "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// ParseTime reverses FormatTime.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}

// NormTime is t as it will read back from the store: UTC, no monotonic
// reading, zero kept zero. Hashes and returned values use it so they match
// what a later read sees.
func NormTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}
