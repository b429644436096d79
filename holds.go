package dobot

import (
	"path"
	"time"
)

// AppHold is a person's lock on one app: while it is held, nothing changes
// the app (no launch of its name, redeploy, rollback, teardown, droplet
// action or TTL expiry) unless an admin breaks the glass.
type AppHold struct {
	App        string
	Holder     string // user id
	HolderName string
	Reason     string
	Since      time.Time
	// ExpiryNoted is set once the bot said, in the app's thread, that the
	// lock holds back its TTL expiry, so that it says so once per lock.
	ExpiryNoted bool
}

// Freeze stops launches, redeploys and rollbacks of the apps whose names
// match Glob until Until, unless an admin breaks the glass.
type Freeze struct {
	Glob   string // path.Match pattern over app names; "*" is every app
	By     string // user id of the admin who froze
	ByName string
	Reason string
	Since  time.Time
	Until  time.Time
}

// Matches reports whether the freeze covers the app called name.
func (f Freeze) Matches(name string) bool {
	ok, err := path.Match(f.Glob, name)
	return err == nil && ok
}

// Active reports whether the freeze is in force at now.
func (f Freeze) Active(now time.Time) bool { return now.Before(f.Until) }

// Route sends an app's messages (its operations' cards and threads, its
// notifications) to another channel than the one a command was typed in.
type Route struct {
	App     string
	Channel string // channel id
	SetBy   string // user id
	SetAt   time.Time
}

// Binding is what an approval was asked for: the image digest and the
// hash of what would be sent, at request time. An approval that arrives
// when either has changed approves something else, so it is void.
type Binding struct {
	OperationID int64
	Image       string // the image reference as typed, or ""
	Digest      string // the digest Image resolved to at request time, or ""
	SpecHash    string // hex SHA-256 of what the executor will send
}
