-- What an approval was asked for: the image digest and the hash of what the
-- executor will send, at request time. A decision that finds either changed
-- voids the request instead of running it.
CREATE TABLE approval_bindings (
	operation_id INTEGER PRIMARY KEY,
	image        TEXT NOT NULL DEFAULT '',
	digest       TEXT NOT NULL DEFAULT '',
	spec_hash    TEXT NOT NULL DEFAULT ''
) STRICT;
