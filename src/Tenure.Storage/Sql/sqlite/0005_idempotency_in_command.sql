-- Idempotent answers are now stored in the command's own transaction, so a claim without an
-- answer can no longer outlive a crash; rows left "in progress" by earlier versions are freed.
-- The location of a 201 is replayed too, and the engine prunes by age.
DELETE FROM idempotency WHERE status_code = 0;
ALTER TABLE idempotency ADD COLUMN location TEXT;
CREATE INDEX ix_idempotency_created ON idempotency (created_at);
