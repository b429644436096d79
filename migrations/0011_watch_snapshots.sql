-- What the replica polling DigitalOcean last read of each app, so that the
-- other replicas watching its deployments read it here instead of asking
-- DigitalOcean again: the replicas share one request budget.
CREATE TABLE watch_snapshots (
	app_id  TEXT PRIMARY KEY,
	body    TEXT NOT NULL,
	read_at TEXT NOT NULL
) STRICT;

CREATE INDEX watch_snapshots_read_at ON watch_snapshots (read_at);
