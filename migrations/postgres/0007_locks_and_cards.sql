-- Namespaced locks and pending cards; see ../0007_locks_and_cards.sql.
ALTER TABLE operations ADD COLUMN lock_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE operations SET lock_key = CASE
		WHEN action LIKE 'registry.%' THEN 'registry:account'
		ELSE 'app:' || app
	END
	WHERE app <> '';
DROP INDEX operations_one_unfinished_per_app;
CREATE UNIQUE INDEX operations_one_unfinished_per_lock ON operations (lock_key)
	WHERE state IN ('requested', 'awaiting_approval', 'running') AND lock_key <> '';

ALTER TABLE operations ADD COLUMN card_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX operations_card_pending ON operations (id) WHERE card_pending = 1;
