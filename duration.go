package dobot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Day is the "d" of durations people type.
const Day = 24 * time.Hour

// ParseDuration reads a duration as people type it: Go's syntax (90s, 45m,
// 2h30m) plus a leading number of days, "d" (4d, 1d12h). Flags, commands
// and settings all read durations through it.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	days, rest, found := strings.Cut(s, "d")
	if !found {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseUint(days, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("duration %q: the days before d must be a whole number, like 4d or 1d12h", s)
	}
	d := time.Duration(n) * Day
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil || more < 0 {
			return 0, fmt.Errorf("duration %q: after the days, give hours, minutes or seconds, like 1d12h", s)
		}
		if more > math.MaxInt64-d {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		d += more
	}
	return d, nil
}

// FormatDuration writes d the way ParseDuration reads it, with whole days
// as d: 30d, 1d12h0m0s, 45m0s.
func FormatDuration(d time.Duration) string {
	if d >= Day {
		days, rest := d/Day, d%Day
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%s", days, rest)
	}
	return d.String()
}
