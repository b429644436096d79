package dobot

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90s", 90 * time.Second, true},
		{"2h30m", 150 * time.Minute, true},
		{"4d", 96 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"30d", 720 * time.Hour, true},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"-1d", 0, false},
		{"1dx", 0, false},
		{"1d-2h", 0, false},
		{"soon", 0, false},
		{"65535d2562047h", 0, false},
	} {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok {
			if back, err := ParseDuration(FormatDuration(got)); err != nil || back != got {
				t.Errorf("ParseDuration(FormatDuration(%v) = %q) = %v, %v; want it back", got, FormatDuration(got), back, err)
			}
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"4d", "1d12h", "90s", "d", "1d1d", "99999d", "-1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil || d < 0 {
			return
		}
		if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Fatalf("ParseDuration(%q) = %v, but FormatDuration gives %q, read back as %v, %v", s, d, FormatDuration(d), back, err)
		}
	})
}

func TestFormatDurationDropsZeroUnits(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{30 * Day, "30d"},
		{Day + 12*time.Hour, "1d12h"},
		{21*time.Hour + 30*time.Minute, "21h30m"},
		{45 * time.Minute, "45m"},
		{2 * time.Hour, "2h"},
		{90 * time.Second, "1m30s"},
		{time.Hour + 5*time.Second, "1h0m5s"},
		{0, "0s"},
	} {
		if got := FormatDuration(tt.in); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
