-- What the replica polling DigitalOcean last read of each app; see
-- ../0011_watch_snapshots.sql.
CREATE TABLE watch_snapshots (
	app_id  TEXT COLLATE "C" PRIMARY KEY,
	body    TEXT NOT NULL,
	read_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX watch_snapshots_read_at ON watch_snapshots (read_at);
