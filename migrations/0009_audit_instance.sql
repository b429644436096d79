-- Which process wrote each audit row (BOT_INSTANCE), so that with several
-- replicas the trail says which one acted. Rows from before have ''; the
-- keyed hash covers the instance of rows that have one ("dobot audit v3").
ALTER TABLE audit ADD COLUMN instance TEXT NOT NULL DEFAULT '';
