-- R8.9: the renewals still to come are the clock's running auto-renew instances of a span, read earliest expiry (then ID)
-- first with the columns that price them and their account. An index holding all of them, in that order, is read alone:
-- no lookup of each instance's row and no sort. Status and mode close it: SQLite takes an index as covering only when it
-- holds every column the query names, its WHERE included.
CREATE INDEX ix_instances_upcoming ON instances
    (clock_id, expires_at, id, account_id, product, spec, auto_renew_months, components, pending_change, status, mode)
    WHERE status = 'Running' AND mode = 'Auto';
