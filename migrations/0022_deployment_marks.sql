-- The newest deployment of each managed app that the bot has seen started
-- elsewhere (a push, the control panel, doctl) and reported, by app id, so
-- a restart does not report it again.
CREATE TABLE deployment_marks (
	app_id        TEXT PRIMARY KEY,
	deployment_id TEXT NOT NULL,
	created_at    TEXT NOT NULL
) STRICT;
