-- R7.8: the one payment method an account holds: the gateway's token, a label to show, and whether it may be charged.
ALTER TABLE accounts ADD COLUMN payment_method_token TEXT;
ALTER TABLE accounts ADD COLUMN payment_method_label TEXT;
ALTER TABLE accounts ADD COLUMN payment_method_status TEXT;

-- R7.10: the auto-renew payment in flight, as JSON {amount, since, dayOffset}; it holds the stop back.
ALTER TABLE instances ADD COLUMN payment_pending TEXT;

-- R7.11, R8.4: what the payment method paid of the current cycle, refunded to the method on unsubscription.
ALTER TABLE instances ADD COLUMN cycle_method BIGINT NOT NULL DEFAULT 0;

-- R7.9, R7.11: every payment asked of the gateway. The row is written (pending) before the gateway is called and
-- its ID is the Idempotency-Key, so a call resumed after a crash can never charge twice. order_id is set when it
-- succeeded; next_call_at is when the worker calls (or polls) next, null once the gateway has answered for good.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    instance_id TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    token TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    reference TEXT,
    order_id TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    settled_at BIGINT,
    next_call_at BIGINT,
    last_error TEXT
);
CREATE INDEX ix_payments_account ON payments (account_id, id);
CREATE INDEX ix_payments_next_call ON payments (next_call_at);
-- R7.11: a cycle of an instance is paid by at most one succeeded payment.
CREATE UNIQUE INDEX ux_payments_succeeded ON payments (instance_id, period_start) WHERE status = 'succeeded';

-- R7.11, R8.4: refunds of a payment's money back to the payment method, sent by the worker (POST /refunds) with the
-- refund's ID as the Idempotency-Key.
CREATE TABLE payment_refunds (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    amount BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    reference TEXT,
    created_at BIGINT NOT NULL,
    next_call_at BIGINT,
    last_error TEXT
);
CREATE INDEX ix_payment_refunds_next_call ON payment_refunds (next_call_at);
