-- Issue 16: every order and ledger row a renewal writes also went into an index on account_id alone, beside the
-- index of 0011 that leads with the same column. Whatever looked rows up by account (the billing records and
-- statements, the payments' orders, verify's sums, the foreign key checks on accounts) is served by the longer one.
DROP INDEX ix_orders_account;
DROP INDEX ix_ledger_account;
