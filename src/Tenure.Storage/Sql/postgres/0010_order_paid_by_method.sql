-- R7.9: a charge takes coupons, then balance, then the account's payment method; an order keeps
-- each part, so a refund (R8.4) goes back to where the money came from and a receipt says what paid.
ALTER TABLE orders ADD COLUMN paid_by_method BIGINT NOT NULL DEFAULT 0;
