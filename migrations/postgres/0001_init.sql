-- PostgreSQL form of ../0001_init.sql; see ../embed.go for how the two
-- dialects are kept in step. Times are UTC text in the fixed-width layout
-- 2006-01-02T15:04:05.000000000Z, as in SQLite, and text compares with the
-- "C" collation so that order and ranges match SQLite's byte order.

CREATE TABLE roles (
	user_id    TEXT COLLATE "C" PRIMARY KEY,
	role       INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),
	granted_by TEXT COLLATE "C" NOT NULL,
	granted_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE apps (
	name        TEXT COLLATE "C" PRIMARY KEY,
	kind        TEXT COLLATE "C" NOT NULL,
	resource_id TEXT COLLATE "C" NOT NULL,
	region      TEXT COLLATE "C" NOT NULL,
	image       TEXT COLLATE "C" NOT NULL,
	owner       TEXT COLLATE "C" NOT NULL,
	channel     TEXT COLLATE "C" NOT NULL,
	thread_ts   TEXT COLLATE "C" NOT NULL,
	created_at  TEXT COLLATE "C" NOT NULL
);

CREATE INDEX apps_resource_id ON apps (resource_id);

-- The store picks each id (the keyed hash covers it). audit_sequence plays
-- SQLite's sqlite_sequence: the highest id ever inserted, kept by a trigger
-- in the inserting transaction, so rows cut off the end leave a gap that
-- verify reports.
CREATE TABLE audit (
	id           BIGINT PRIMARY KEY,
	time         TEXT COLLATE "C" NOT NULL,
	user_id      TEXT COLLATE "C" NOT NULL,
	user_name    TEXT COLLATE "C" NOT NULL,
	channel      TEXT COLLATE "C" NOT NULL,
	command_text TEXT COLLATE "C" NOT NULL,
	action       TEXT COLLATE "C" NOT NULL,
	target       TEXT COLLATE "C" NOT NULL,
	decision     TEXT COLLATE "C" NOT NULL,
	outcome      TEXT COLLATE "C" NOT NULL,
	error        TEXT COLLATE "C" NOT NULL,
	details      TEXT COLLATE "C" NOT NULL,
	prev_hash    TEXT COLLATE "C" NOT NULL,
	hash         TEXT COLLATE "C" NOT NULL
);

CREATE INDEX audit_target ON audit (target, id);
CREATE INDEX audit_user ON audit (user_id, id);
CREATE INDEX audit_action ON audit (action, id);

CREATE TABLE audit_sequence (
	seq BIGINT NOT NULL
);
INSERT INTO audit_sequence (seq) VALUES (0);

CREATE FUNCTION audit_bump_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE audit_sequence SET seq = GREATEST(seq, NEW.id);
	RETURN NULL;
END
$$;

-- The audit log is append-only. The hash chain detects tampering after the
-- fact; these triggers stop the bot itself from ever doing it by mistake.
-- They are written as pg_get_triggerdef prints them, so verify can compare.
CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit rows are append-only: % refused', lower(TG_OP);
END
$$;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_sequence_bump AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_bump_sequence();

CREATE TABLE policies (
	action         TEXT COLLATE "C" NOT NULL,
	app_glob       TEXT COLLATE "C" NOT NULL,
	role           INTEGER NOT NULL CHECK (role BETWEEN 0 AND 4),
	needs_approval BOOLEAN NOT NULL,
	updated_by     TEXT COLLATE "C" NOT NULL,
	updated_at     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (action, app_glob)
);

-- Keys of Slack envelopes and clicks already handled, so a retry is ignored.
CREATE TABLE handled (
	key     TEXT COLLATE "C" PRIMARY KEY,
	seen_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX handled_seen_at ON handled (seen_at);
