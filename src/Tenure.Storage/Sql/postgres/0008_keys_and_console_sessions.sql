-- R13.3: several keys per account, each with an ID (for the operator to list and revoke), when it
-- was last used and when it was revoked. Keys made before this keep working: they get an ID from their prefix.
ALTER TABLE api_keys ADD COLUMN id TEXT;
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
UPDATE api_keys SET id = 'key-' || prefix WHERE id IS NULL;
ALTER TABLE api_keys ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX ux_api_keys_id ON api_keys (id);
CREATE INDEX ix_api_keys_account ON api_keys (account_id, created_at);

-- A console sign-in: the cookie holds a random session ID, stored here only as its SHA-256 hash,
-- with the key it was made from (a key ID, or the operator's reference) and when it ends.
CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    key_ref TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX ix_console_sessions_account ON console_sessions (account_id);
CREATE INDEX ix_console_sessions_key ON console_sessions (key_ref);
