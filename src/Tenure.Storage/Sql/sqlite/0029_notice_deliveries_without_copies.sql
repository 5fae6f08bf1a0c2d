-- Issue 16: a notice's delivery holds no copy of the notice. Its payload is NULL, and the dispatcher builds the body from
-- the notice its dedupe key names ("<notice key>:<channel>"): the same text that was stored before, about 330 bytes a
-- notice on a renewal day. A payload stays for what has no notice row (resource actions, webhook tests) and for rows
-- written before.
-- SQLite cannot drop a NOT NULL in place, so the table is built again with its rows, their IDs and its indexes.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    account_id TEXT NOT NULL,
    instance_id TEXT,
    at BIGINT NOT NULL,
    payload TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    delivered_at BIGINT,
    last_status INTEGER,
    last_attempt_at BIGINT
);
INSERT INTO outbox_new (id, dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at,
    last_error, delivered_at, last_status, last_attempt_at)
SELECT id, dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at,
    last_error, delivered_at, last_status, last_attempt_at FROM outbox;
-- IDs go on after every one the old table gave out.
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX ix_outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX ix_outbox_account_channel ON outbox (account_id, channel, id);
