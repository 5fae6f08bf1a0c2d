-- Issue 16: a notice's delivery holds no copy of the notice. Its payload is NULL, and the dispatcher builds the body from
-- the notice its dedupe key names ("<notice key>:<channel>"): the same text that was stored before, about 330 bytes a
-- notice on a renewal day. A payload stays for what has no notice row (resource actions, webhook tests) and for rows
-- written before.
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
