-- Namespaced locks: an operation holds "app:NAME" or "registry:account", so
-- an app called "registry" and the account's registry never block each
-- other. The old index locked the bare app column, where both were
-- "registry".
ALTER TABLE operations ADD COLUMN lock_key TEXT NOT NULL DEFAULT '';
UPDATE operations SET lock_key = CASE
		WHEN action LIKE 'registry.%' THEN 'registry:account'
		ELSE 'app:' || app
	END
	WHERE app <> '';
DROP INDEX operations_one_unfinished_per_app;
CREATE UNIQUE INDEX operations_one_unfinished_per_lock ON operations (lock_key)
	WHERE state IN ('requested', 'awaiting_approval', 'running') AND lock_key <> '';

-- 1 from a decision (approve, deny, withdraw, expire) until the request's
-- card shows it. The decision and its audit row commit together; the card is
-- updated after, so a restart in between finds the cards still to update.
ALTER TABLE operations ADD COLUMN card_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX operations_card_pending ON operations (id) WHERE card_pending = 1;
