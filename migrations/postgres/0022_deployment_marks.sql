-- Deployment marks; see ../0022_deployment_marks.sql.
CREATE TABLE deployment_marks (
	app_id        TEXT COLLATE "C" PRIMARY KEY,
	deployment_id TEXT COLLATE "C" NOT NULL,
	created_at    TEXT COLLATE "C" NOT NULL
);
