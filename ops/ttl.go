package ops

import (
	"time"

	"dobot"
)

// ReminderLead is how long before an app's expiry its owner is reminded.
const ReminderLead = 15 * time.Minute

// TTLDue is what an app's TTL asks for at a moment.
type TTLDue int

// What a TTL may ask for.
const (
	TTLNothing TTLDue = iota // no TTL, or not yet time
	TTLRemind                // remind the owner, once
	TTLExpire                // tear the app down
)

// DueAt is what app's TTL asks for at now.
func DueAt(app dobot.App, now time.Time) TTLDue {
	switch {
	case app.ExpiresAt.IsZero():
		return TTLNothing
	case !now.Before(app.ExpiresAt):
		return TTLExpire
	case !app.Reminded && !now.Before(app.ExpiresAt.Add(-ReminderLead)):
		return TTLRemind
	}
	return TTLNothing
}

// CapError refuses an extension past the cap on an app's lifetime: without
// it anyone could keep anything alive for ever, one extension at a time.
type CapError struct {
	Cap      time.Duration // BOT_MAX_TTL
	Launched time.Time     // the app's creation
	Limit    time.Time     // Launched plus Cap
	From     time.Time     // where the extension counts from
	AtLimit  bool          // the app already expires at the limit
}

// Error says what the cap refused.
func (e *CapError) Error() string { return "the extension passes BOT_MAX_TTL" }

// Extended is app's expiry extended by d at now: from its expiry, or from
// now once that has passed, and never past maxTTL from its launch.
func Extended(app dobot.App, now time.Time, d, maxTTL time.Duration) (time.Time, error) {
	from := app.ExpiresAt
	if from.Before(now) {
		from = now
	}
	if limit := app.CreatedAt.Add(maxTTL); from.Add(d).After(limit) {
		return time.Time{}, &CapError{Cap: maxTTL, Launched: app.CreatedAt, Limit: limit, From: from, AtLimit: !from.Before(limit)}
	}
	return from.Add(d), nil
}
