-- R8.9: the renewals still to come are read grouped per account and price, from an index of narrow columns: the price
-- columns (product, spec, months, components, pending change) are stood for by one number, terms_digest, which storage
-- computes in process whenever it writes an instance (TermsDigest.cs). The rows written before this script get it from
-- TermsDigest.Fill, which runs after the migrations while the table terms_digest_fill exists and drops it when done.
-- The grouped read then scans this index alone: grouped as scanned, no JSON text, the ID for a sample of each digest.
ALTER TABLE instances ADD COLUMN terms_digest BIGINT NOT NULL DEFAULT 0;
CREATE TABLE terms_digest_fill (pending INTEGER NOT NULL);
DROP INDEX ix_instances_upcoming;
CREATE INDEX ix_instances_upcoming ON instances (clock_id, account_id, terms_digest, expires_at, id, product, status, mode)
    WHERE status = 'Running' AND mode = 'Auto';
-- The renewals by attempt day group their items per expiry and attempt day first, as this index orders them (the
-- expiries of a span are day boundaries, so a few hundred groups), and then per attempt day: SQLite sorts a few hundred
-- rows instead of every renewal of the span (GROUP BY attempt_day alone needed a temporary B-tree of them all).
DROP INDEX ix_order_items_report;
CREATE INDEX ix_order_items_report ON order_items (clock_id, renews_expiry, attempt_day, product, amount)
    WHERE renews_expiry IS NOT NULL;
