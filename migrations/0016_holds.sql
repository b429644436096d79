-- Locks people put on apps, freezes on app-name globs, and where an app's
-- messages go. A lock and a route are keyed by app name, which need not be
-- managed yet (locking a name blocks its launch); a freeze by its glob.
CREATE TABLE app_locks (
	app          TEXT PRIMARY KEY,
	holder       TEXT NOT NULL,
	holder_name  TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	since        TEXT NOT NULL,
	expiry_noted INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE freezes (
	glob    TEXT PRIMARY KEY,
	by_user TEXT NOT NULL,
	by_name TEXT NOT NULL DEFAULT '',
	reason  TEXT NOT NULL DEFAULT '',
	since   TEXT NOT NULL,
	ends_at TEXT NOT NULL
) STRICT;

CREATE TABLE app_routes (
	app     TEXT PRIMARY KEY,
	channel TEXT NOT NULL,
	set_by  TEXT NOT NULL,
	set_at  TEXT NOT NULL
) STRICT;
