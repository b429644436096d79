-- Locks and freezes count as home page changes; see ../0025_home_holds.sql.
CREATE CONSTRAINT TRIGGER home_changes_lock_change AFTER INSERT OR UPDATE OR DELETE ON app_locks
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION home_changes_bump();

CREATE CONSTRAINT TRIGGER home_changes_freeze_change AFTER INSERT OR UPDATE OR DELETE ON freezes
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION home_changes_bump();
