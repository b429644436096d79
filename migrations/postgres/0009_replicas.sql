-- The writing instance of each audit row, and named leases; see
-- ../0009_replicas.sql.
ALTER TABLE audit ADD COLUMN instance TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE leases (
	name       TEXT COLLATE "C" PRIMARY KEY,
	holder     TEXT COLLATE "C" NOT NULL,
	expires_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX leases_holder ON leases (holder);
