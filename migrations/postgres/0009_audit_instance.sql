-- Which process wrote each audit row; see ../0009_audit_instance.sql.
ALTER TABLE audit ADD COLUMN instance TEXT COLLATE "C" NOT NULL DEFAULT '';
