-- Who opened their Home tab and when, shared by every replica, so the
-- replica that republishes home pages knows whom to republish for.
CREATE TABLE home_viewers (
	user_id   TEXT PRIMARY KEY,
	opened_at TEXT NOT NULL
) STRICT;

CREATE INDEX home_viewers_opened_at ON home_viewers (opened_at);

-- One row counting changes to what a home page shows (apps; operations
-- created, or their state or expiry changed), bumped by the triggers below
-- in the writing transaction whichever replica or command wrote, and the
-- count already republished. Its value means nothing in another database,
-- so `bot store copy` leaves it out.
CREATE TABLE home_changes (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	changes   INTEGER NOT NULL,
	published INTEGER NOT NULL
) STRICT;

INSERT INTO home_changes (id, changes, published) VALUES (1, 0, 0);

CREATE TRIGGER home_changes_op_insert AFTER INSERT ON operations
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_op_update AFTER UPDATE ON operations
WHEN OLD.state IS NOT NEW.state OR OLD.expires_at IS NOT NEW.expires_at
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_app_insert AFTER INSERT ON apps
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_app_update AFTER UPDATE ON apps
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_app_delete AFTER DELETE ON apps
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;
