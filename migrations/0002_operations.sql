CREATE TABLE operations (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	action         TEXT NOT NULL,
	app            TEXT NOT NULL,
	state          TEXT NOT NULL CHECK (state IN ('requested', 'awaiting_approval',
	                   'running', 'succeeded', 'failed', 'expired', 'canceled')),
	requester      TEXT NOT NULL,
	requester_name TEXT NOT NULL,
	channel        TEXT NOT NULL,
	message_ts     TEXT NOT NULL,
	response_url   TEXT NOT NULL,
	command_text   TEXT NOT NULL,
	args           TEXT NOT NULL,
	reason         TEXT NOT NULL,
	resource_id    TEXT NOT NULL,
	deployment_id  TEXT NOT NULL,
	decider        TEXT NOT NULL,
	decided_at     TEXT NOT NULL,
	error          TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	expires_at     TEXT NOT NULL
) STRICT;

-- The per-app lock: at most one unfinished operation per app, enforced by the
-- database so two concurrent requests cannot both check and then insert.
-- Operations without an app (app = '') lock nothing.
CREATE UNIQUE INDEX operations_one_unfinished_per_app ON operations (app)
	WHERE state IN ('requested', 'awaiting_approval', 'running') AND app <> '';

CREATE INDEX operations_state ON operations (state, expires_at);
