-- R12.1: a test clock's batch takes accounts whole, so no forecast book is kept across batches (0025) and nothing reads
-- the count of the units of work that wrote an account's instances.
ALTER TABLE accounts DROP COLUMN instances_version;
