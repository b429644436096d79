-- Times are UTC text in the fixed-width layout 2006-01-02T15:04:05.000000000Z,
-- so they compare correctly as strings; '' stands for the zero time.

CREATE TABLE roles (
	user_id    TEXT PRIMARY KEY,
	role       INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),
	granted_by TEXT NOT NULL,
	granted_at TEXT NOT NULL
) STRICT;

CREATE TABLE apps (
	name        TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	resource_id TEXT NOT NULL,
	region      TEXT NOT NULL,
	image       TEXT NOT NULL,
	owner       TEXT NOT NULL,
	channel     TEXT NOT NULL,
	thread_ts   TEXT NOT NULL,
	created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX apps_resource_id ON apps (resource_id);

-- AUTOINCREMENT so an id is never handed out twice: sqlite_sequence then
-- remembers the highest id ever used, which lets VerifyAudit notice rows cut
-- off the end of the chain.
CREATE TABLE audit (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	time         TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	user_name    TEXT NOT NULL,
	channel      TEXT NOT NULL,
	command_text TEXT NOT NULL,
	action       TEXT NOT NULL,
	target       TEXT NOT NULL,
	decision     TEXT NOT NULL,
	outcome      TEXT NOT NULL,
	error        TEXT NOT NULL,
	details      TEXT NOT NULL,
	prev_hash    TEXT NOT NULL,
	hash         TEXT NOT NULL
) STRICT;

-- Audit filters read newest first, so each index ends in id: a filtered
-- query walks one index backwards and stops after LIMIT rows.
CREATE INDEX audit_target ON audit (target, id);
CREATE INDEX audit_user ON audit (user_id, id);
CREATE INDEX audit_action ON audit (action, id);

-- The audit log is append-only. The hash chain detects tampering after the
-- fact; these triggers stop the bot itself from ever doing it by mistake.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: update refused');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: delete refused');
END;

CREATE TABLE policies (
	action         TEXT NOT NULL,
	app_glob       TEXT NOT NULL,
	role           INTEGER NOT NULL CHECK (role BETWEEN 0 AND 4),
	needs_approval INTEGER NOT NULL CHECK (needs_approval IN (0, 1)),
	updated_by     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	PRIMARY KEY (action, app_glob)
) STRICT;

-- Keys of Slack envelopes and clicks already handled, so a retry is ignored.
CREATE TABLE handled (
	key     TEXT PRIMARY KEY,
	seen_at TEXT NOT NULL
) STRICT;

CREATE INDEX handled_seen_at ON handled (seen_at);
