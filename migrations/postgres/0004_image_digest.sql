-- The digest the image's tag resolved to; see ../0004_image_digest.sql.
ALTER TABLE apps ADD COLUMN image_digest TEXT COLLATE "C" NOT NULL DEFAULT '';
