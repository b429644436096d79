-- Which process wrote each audit row (BOT_INSTANCE), so that with several
-- replicas the trail says which one acted. Rows from before have ''; the
-- keyed hash covers the instance of rows that have one ("dobot audit v3").
ALTER TABLE audit ADD COLUMN instance TEXT NOT NULL DEFAULT '';

-- Named leases: a claim on a piece of work ("op:42", "loop:ttl") held by one
-- instance until expires_at and renewed while it works, so that work a dead
-- process held can be taken over once its lease runs out.
CREATE TABLE leases (
	name       TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX leases_holder ON leases (holder);
