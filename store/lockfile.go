package store

import "dobot/store/internal/lockfile"

// ErrLocked means another process has the SQLite database open as a bot.
var ErrLocked = lockfile.ErrLocked

// LockPath is the file beside a SQLite database that the bot holds locked
// while it runs: SQLite serves one bot process, and a second one on the
// same file would do every piece of work twice.
func LockPath(dbPath string) string { return lockfile.Path(dbPath) }

// lockFile locks the SQLite database at path for this process.
var lockFile = lockfile.Take
