-- R8.9: the renewals still to come are read grouped per account and price, from an index of narrow columns: the price
-- columns (product, spec, months, components, pending change) are stood for by one number, terms_digest, which storage
-- computes in process whenever it writes an instance (TermsDigest.cs). The rows written before this script get it from
-- TermsDigest.Fill, which runs after the migrations while the table terms_digest_fill exists and drops it when done.
-- With no JSON column in it (0021 left them out for the 2.7 kB entry limit) the grouped read is an index-only scan in
-- group order; 0021's index, in expiry order, is replaced: the accounts read one by one seek this one.
ALTER TABLE instances ADD COLUMN terms_digest BIGINT NOT NULL DEFAULT 0;
CREATE TABLE terms_digest_fill (pending INTEGER NOT NULL);
DROP INDEX ix_instances_upcoming;
CREATE INDEX ix_instances_upcoming ON instances (clock_id, account_id, terms_digest, expires_at)
    INCLUDE (id, product) WHERE status = 'Running' AND mode = 'Auto';
