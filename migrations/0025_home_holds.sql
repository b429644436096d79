-- A lock or a freeze placed or lifted changes what home pages show, so it
-- counts as a change for the replica that republishes them (see
-- 0024_home_viewers.sql). A freeze that simply runs out is shown as ended
-- the next time a page is published.
CREATE TRIGGER home_changes_lock_insert AFTER INSERT ON app_locks
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_lock_update AFTER UPDATE ON app_locks
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_lock_delete AFTER DELETE ON app_locks
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_freeze_insert AFTER INSERT ON freezes
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_freeze_update AFTER UPDATE ON freezes
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;

CREATE TRIGGER home_changes_freeze_delete AFTER DELETE ON freezes
BEGIN
	UPDATE home_changes SET changes = changes + 1 WHERE id = 1;
END;
