-- R8.9: the renewals still to come are the clock's running auto-renew instances of a span, read earliest expiry (then ID)
-- first with the columns that price them and their account. An index holding all of them, in that order, is read alone
-- (an index-only scan): no visit of each instance's row and no sort.
CREATE INDEX ix_instances_upcoming ON instances (clock_id, expires_at, id)
    INCLUDE (account_id, product, spec, auto_renew_months, components, pending_change)
    WHERE status = 'Running' AND mode = 'Auto';
