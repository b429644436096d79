package ops_test

import (
	"errors"
	"testing"
	"time"

	"dobot"
	"dobot/ops"
)

func TestDueAt(t *testing.T) {
	exp := t0.Add(time.Hour)
	tests := []struct {
		name string
		app  dobot.App
		now  time.Time
		want ops.TTLDue
	}{
		{"no ttl", dobot.App{}, t0, ops.TTLNothing},
		{"early", dobot.App{Expiry: dobot.Expiry{ExpiresAt: exp}}, t0, ops.TTLNothing},
		{"reminder lead", dobot.App{Expiry: dobot.Expiry{ExpiresAt: exp}}, exp.Add(-ops.ReminderLead), ops.TTLRemind},
		{"reminded", dobot.App{Expiry: dobot.Expiry{ExpiresAt: exp, Reminded: true}}, exp.Add(-time.Minute), ops.TTLNothing},
		{"expired", dobot.App{Expiry: dobot.Expiry{ExpiresAt: exp, Reminded: true}}, exp, ops.TTLExpire},
		{"expired unreminded", dobot.App{Expiry: dobot.Expiry{ExpiresAt: exp}}, exp.Add(time.Hour), ops.TTLExpire},
	}
	for _, tt := range tests {
		if got := ops.DueAt(tt.app, tt.now); got != tt.want {
			t.Errorf("%s: DueAt = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestExtended(t *testing.T) {
	app := dobot.App{CreatedAt: t0, Expiry: dobot.Expiry{ExpiresAt: t0.Add(2 * time.Hour)}}
	tests := []struct {
		name    string
		now     time.Time
		by      time.Duration
		want    time.Time
		capped  bool
		atLimit bool
	}{
		{"from the expiry", t0.Add(time.Hour), time.Hour, t0.Add(3 * time.Hour), false, false},
		{"from now once passed", t0.Add(5 * time.Hour), time.Hour, t0.Add(6 * time.Hour), false, false},
		{"up to the cap", t0, 22 * time.Hour, t0.Add(24 * time.Hour), false, false},
		{"past the cap", t0, 23 * time.Hour, time.Time{}, true, false},
		{"at the cap", t0.Add(24 * time.Hour), time.Minute, time.Time{}, true, true},
	}
	for _, tt := range tests {
		got, err := ops.Extended(app, tt.now, tt.by, 24*time.Hour)
		var c *ops.CapError
		if !got.Equal(tt.want) || errors.As(err, &c) != tt.capped || (c != nil && c.AtLimit != tt.atLimit) {
			t.Errorf("%s: Extended = %v, %+v; want %v, capped %v, at limit %v", tt.name, got, err, tt.want, tt.capped, tt.atLimit)
		}
	}
}
