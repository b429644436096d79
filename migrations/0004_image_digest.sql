-- The digest the image's tag resolved to when the pre-flight check read it
-- (sha256:…), so status and rollback name the exact image; '' when the
-- registry did not answer in time.
ALTER TABLE apps ADD COLUMN image_digest TEXT NOT NULL DEFAULT '';
