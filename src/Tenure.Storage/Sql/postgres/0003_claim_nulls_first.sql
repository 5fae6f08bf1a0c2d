-- PAYG instances have no expiry. SQLite sorts NULL first in ascending order, PostgreSQL last:
-- the claim order (next_due_at, expires_at, id) now puts NULL first on both.
DROP INDEX ix_instances_due;
CREATE INDEX ix_instances_due ON instances (clock_id, next_due_at, expires_at NULLS FIRST, id) WHERE next_due_at IS NOT NULL;
