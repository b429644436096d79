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
// as d and no zero units: 30d, 1d12h, 21h30m, 45m, 90s.
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	if d >= Day {
		fmt.Fprintf(&b, "%dd", d/Day)
		d %= Day
	}
	if d == 0 && b.Len() > 0 {
		return b.String()
	}
	s := d.String()
	for _, zero := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, zero) {
			s = strings.TrimSuffix(s, zero[1:])
		}
	}
	if s == "0s" && b.Len() > 0 {
		s = ""
	}
	b.WriteString(s)
	return b.String()
}
