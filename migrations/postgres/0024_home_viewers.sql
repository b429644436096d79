-- Home tab viewers and the home page change counter; see
-- ../0024_home_viewers.sql.
CREATE TABLE home_viewers (
	user_id   TEXT COLLATE "C" PRIMARY KEY,
	opened_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX home_viewers_opened_at ON home_viewers (opened_at);

CREATE TABLE home_changes (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	changes   BIGINT NOT NULL,
	published BIGINT NOT NULL
);

INSERT INTO home_changes (id, changes, published) VALUES (1, 0, 0);

CREATE FUNCTION home_changes_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
	RETURN NULL;
END;
$$;

-- Deferred to commit, so a transaction takes the counter's row lock last
-- and never waits for another row while holding it: no deadlocks between
-- replicas writing apps and operations in different orders.
CREATE CONSTRAINT TRIGGER home_changes_op_insert AFTER INSERT ON operations
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION home_changes_bump();

CREATE CONSTRAINT TRIGGER home_changes_op_update AFTER UPDATE ON operations
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
	EXECUTE FUNCTION home_changes_bump();

CREATE CONSTRAINT TRIGGER home_changes_app_change AFTER INSERT OR UPDATE OR DELETE ON apps
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION home_changes_bump();
