-- R8.9: the renewals still to come are the clock's running auto-renew instances of a span, read earliest expiry (then ID)
-- first with the columns that price them and their account. The index holds them in that order (no sort) with the
-- plain columns; the JSON columns (components, pending_change) stay in the row, read by a heap visit: a B-tree entry
-- is limited to about 2.7 kB, and an instance with many data disks must never fail to save because of an index.
CREATE INDEX ix_instances_upcoming ON instances (clock_id, expires_at, id)
    INCLUDE (account_id, product, spec, auto_renew_months)
    WHERE status = 'Running' AND mode = 'Auto';
