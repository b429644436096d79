-- Locks, freezes and routes; see ../0016_holds.sql.
CREATE TABLE app_locks (
	app          TEXT COLLATE "C" PRIMARY KEY,
	holder       TEXT COLLATE "C" NOT NULL,
	holder_name  TEXT NOT NULL DEFAULT '',
	reason       TEXT NOT NULL DEFAULT '',
	since        TEXT COLLATE "C" NOT NULL,
	expiry_noted BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE freezes (
	glob    TEXT COLLATE "C" PRIMARY KEY,
	by_user TEXT COLLATE "C" NOT NULL,
	by_name TEXT NOT NULL DEFAULT '',
	reason  TEXT NOT NULL DEFAULT '',
	since   TEXT COLLATE "C" NOT NULL,
	ends_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE app_routes (
	app     TEXT COLLATE "C" PRIMARY KEY,
	channel TEXT COLLATE "C" NOT NULL,
	set_by  TEXT COLLATE "C" NOT NULL,
	set_at  TEXT COLLATE "C" NOT NULL
);
