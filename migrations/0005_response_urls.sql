-- Each Slack response_url the bot was given, with its age and uses, so that
-- Slack's limits (five uses within thirty minutes) hold across restarts.
-- The URL itself lets anyone answer the person, so only its SHA-256 is kept.
CREATE TABLE response_urls (
	url_hash   TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	channel_id TEXT NOT NULL,
	issued_at  TEXT NOT NULL,
	uses       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX response_urls_issued_at ON response_urls (issued_at);
