-- Issue 16: a count of the units of work that wrote any of the account's instances, bumped once by each. The engine keeps an
-- account's R8.7 forecast book across the batches of a test-clock advance while this number is the one its last batch left:
-- a command (or another engine) that changed the account's instances in between moved it, and the book is planned afresh.
ALTER TABLE accounts ADD COLUMN instances_version BIGINT NOT NULL DEFAULT 0;
