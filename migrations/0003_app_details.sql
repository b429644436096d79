-- What a managed app costs and when it expires, for /do list, cost cards
-- and expiring environments (--ttl).
ALTER TABLE apps ADD COLUMN size TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN instances INTEGER NOT NULL DEFAULT 0;
-- Monthly price in cents, from DigitalOcean's price list at launch time.
ALTER TABLE apps ADD COLUMN monthly_cents INTEGER NOT NULL DEFAULT 0;
-- When the bot tears the app down on its own; '' for never.
ALTER TABLE apps ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
-- 1 once the fifteen-minute reminder for the current expiry went out.
ALTER TABLE apps ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
-- 1 for a resource the bot did not create but an admin adopted.
ALTER TABLE apps ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0;
