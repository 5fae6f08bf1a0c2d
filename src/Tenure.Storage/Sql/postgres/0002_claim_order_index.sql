-- The engine claims in (next_due_at, expires_at, id) order (R4.8); with all four in the index a
-- renewal day of a million rows due at one instant is read in order, not sorted per batch.
DROP INDEX ix_instances_due;
CREATE INDEX ix_instances_due ON instances (clock_id, next_due_at, expires_at, id) WHERE next_due_at IS NOT NULL;
