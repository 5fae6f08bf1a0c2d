-- R8.9: the renewals still to come are read grouped per account and price columns (a row per group, its expiries in one
-- column), and one by one only for the accounts whose renewals differ in product or price. The index holds the clock's
-- running auto-renew instances in that grouping order, with the expiry and ID after it: the grouped read is a scan of it
-- alone, no sort and no lookup of each row (SQLite takes an index as covering only when it holds every column the query
-- names, its WHERE included); the read one by one seeks each account's entries. SQLite has no entry size limit (a long
-- record overflows into pages of its own), so the JSON columns may be in it. PostgreSQL keeps 0021's index: its entries
-- may not hold the JSON columns (about 2.7 kB at most), so it groups the rows it visits, in a hash or after a sort.
DROP INDEX ix_instances_upcoming;
CREATE INDEX ix_instances_upcoming ON instances
    (clock_id, account_id, product, spec, auto_renew_months, components, pending_change, expires_at, id, status, mode)
    WHERE status = 'Running' AND mode = 'Auto';
