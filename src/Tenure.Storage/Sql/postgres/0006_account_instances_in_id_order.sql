-- An account's instance list pages in ID order (WHERE account_id = ? AND id > ? ORDER BY id LIMIT n):
-- with the index on account_id alone the database sorted every instance of the account per page.
CREATE INDEX ix_instances_account_id ON instances (account_id, id);
DROP INDEX ix_instances_account;
