-- Tenure schema, version 1. Instants are BIGINT unix ticks (100 ns) UTC; booleans are INTEGER 0/1; money is BIGINT minor units.

CREATE TABLE test_clocks (
    id TEXT PRIMARY KEY,
    frozen_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    currency TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0,
    no_stop_on_expiry INTEGER NOT NULL DEFAULT 0,
    negative_since BIGINT,
    webhook_url TEXT,
    webhook_secret TEXT,
    clock_id TEXT NOT NULL DEFAULT 'system',
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    prefix TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE coupons (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    amount BIGINT NOT NULL,
    remaining BIGINT NOT NULL CHECK (remaining >= 0),
    expires_at BIGINT NOT NULL,
    product TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ix_coupons_account ON coupons (account_id);

CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    clock_id TEXT NOT NULL,
    product TEXT NOT NULL,
    region TEXT NOT NULL,
    edition TEXT NOT NULL,
    spec TEXT NOT NULL,
    charge_type TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    mode TEXT NOT NULL,
    auto_renew_months INTEGER NOT NULL,
    post_expiration_action TEXT NOT NULL,
    post_release_action TEXT NOT NULL,
    pending_change TEXT,
    components TEXT NOT NULL,
    cycle_start BIGINT NOT NULL,
    cycle_cash BIGINT NOT NULL,
    stopped_at BIGINT,
    stop_cause TEXT,
    released_at BIGINT,
    payg_billed_through BIGINT,
    progress_at BIGINT NOT NULL,
    progress_rank INTEGER NOT NULL,
    alarms TEXT NOT NULL,
    next_due_at BIGINT,
    next_due_kind TEXT
);
CREATE INDEX ix_instances_due ON instances (clock_id, next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX ix_instances_account ON instances (account_id);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    total BIGINT NOT NULL,
    paid_by_coupons BIGINT NOT NULL,
    paid_by_balance BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX ix_orders_account ON orders (account_id);

-- One charge per instance, period and kind, however often a request or a worker is retried (R7.4).
CREATE TABLE order_items (
    order_id TEXT NOT NULL REFERENCES orders (id),
    instance_id TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    new_expires_at BIGINT,
    PRIMARY KEY (instance_id, period_start, kind)
);
CREATE INDEX ix_order_items_order ON order_items (order_id);

CREATE TABLE ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    instance_id TEXT,
    coupon_id TEXT,
    order_id TEXT,
    memo TEXT NOT NULL
);
CREATE INDEX ix_ledger_account ON ledger (account_id);

CREATE TABLE timeline_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX ix_timeline_instance ON timeline_events (instance_id, id);

-- R9.4: once per (instance, kind, cycle, day offset).
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    instance_id TEXT,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL
);
CREATE INDEX ix_notices_account ON notices (account_id, id);

-- Deliveries: one row per notice channel or resource action, delivered at least once (R9.4, R10.1).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    account_id TEXT NOT NULL,
    instance_id TEXT,
    at BIGINT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    delivered_at BIGINT
);
CREATE INDEX ix_outbox_pending ON outbox (status, next_attempt_at);

CREATE TABLE idempotency (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);

CREATE TABLE usage_samples (
    instance_id TEXT NOT NULL,
    minute BIGINT NOT NULL,
    tps BIGINT NOT NULL,
    subscriptions BIGINT NOT NULL,
    connections BIGINT NOT NULL,
    PRIMARY KEY (instance_id, minute)
);

CREATE TABLE alarm_state (
    instance_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, metric)
);
