-- R10.2: a replaced webhook secret keeps signing beside the new one for 24 h, so receivers can switch without a gap.
ALTER TABLE accounts ADD COLUMN webhook_secret_previous TEXT;
ALTER TABLE accounts ADD COLUMN webhook_secret_replaced_at BIGINT;
-- R9.7: what the receiver answered last and when, shown to the account as proof of notice.
ALTER TABLE outbox ADD COLUMN last_status INTEGER;
ALTER TABLE outbox ADD COLUMN last_attempt_at BIGINT;
-- GET /v1/account/webhook/deliveries pages one account's webhook deliveries in ID order.
CREATE INDEX ix_outbox_account_channel ON outbox (account_id, channel, id);
