-- Approval bindings; see ../0017_approval_bindings.sql.
CREATE TABLE approval_bindings (
	operation_id BIGINT PRIMARY KEY,
	image        TEXT COLLATE "C" NOT NULL DEFAULT '',
	digest       TEXT COLLATE "C" NOT NULL DEFAULT '',
	spec_hash    TEXT COLLATE "C" NOT NULL DEFAULT ''
);
