-- A policy may ask for approval above a monthly cost (`policy launch
-- --approval-above 50`), in USD cents; 0 means no such limit.
ALTER TABLE policies ADD COLUMN approval_above_cents INTEGER NOT NULL DEFAULT 0 CHECK (approval_above_cents >= 0);
