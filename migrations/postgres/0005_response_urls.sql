-- Each Slack response_url the bot was given (only its SHA-256), with its age
-- and uses; see ../0005_response_urls.sql.
CREATE TABLE response_urls (
	url_hash   TEXT COLLATE "C" PRIMARY KEY,
	user_id    TEXT COLLATE "C" NOT NULL,
	channel_id TEXT COLLATE "C" NOT NULL,
	issued_at  TEXT COLLATE "C" NOT NULL,
	uses       INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX response_urls_issued_at ON response_urls (issued_at);
