-- What a managed app costs and when it expires (see ../0003_app_details.sql).
-- Flags are BOOLEAN here: pgx maps them to Go bools as SQLite's 0/1 do.
ALTER TABLE apps ADD COLUMN size TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN instances INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN monthly_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN expires_at TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN reminded BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE apps ADD COLUMN adopted BOOLEAN NOT NULL DEFAULT false;
