-- R8.9: the renewal report counts the cycles that came due in a span. A renewal item keeps the expiry it
-- answered (a stopped instance's new cycle starts at the renewal, not at that expiry) and the auto-renew
-- attempt day that paid it (NULL: renewed by hand). Earlier renewals are taken to answer the expiry their
-- cycle started at, which holds for all but renewals of stopped instances.
ALTER TABLE order_items ADD COLUMN renews_expiry BIGINT;
ALTER TABLE order_items ADD COLUMN attempt_day INTEGER;
UPDATE order_items SET renews_expiry = period_start WHERE kind IN ('Renewal', 'RenewDowngrade', 'UnifyExpiry');
-- The report groups the renewals of a span by attempt day, and the cycles not renewed by state: both read
-- from an index that holds every column they touch, in the order of the span.
CREATE INDEX ix_order_items_renews ON order_items (renews_expiry, instance_id, attempt_day, amount) WHERE renews_expiry IS NOT NULL;
CREATE INDEX ix_instances_expiry ON instances (clock_id, expires_at, product, status, mode) WHERE expires_at IS NOT NULL;
