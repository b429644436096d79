-- The policy's cost limit; see ../0014_policy_cost_limit.sql.
ALTER TABLE policies ADD COLUMN approval_above_cents BIGINT NOT NULL DEFAULT 0 CHECK (approval_above_cents >= 0);
