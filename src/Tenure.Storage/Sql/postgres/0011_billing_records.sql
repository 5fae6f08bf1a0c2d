-- R8.8 billing records: an account's orders and ledger are read in time order, a month at a time for statements,
-- and an instance's orders for what it cost. A refund's ledger row carries the ID of the order it refunds (as a
-- charge's row carries its own order's), so an order finds its refunds by that column.
CREATE INDEX ix_orders_account_at ON orders (account_id, at, id);
CREATE INDEX ix_ledger_account_at ON ledger (account_id, at, id);
CREATE INDEX ix_ledger_order ON ledger (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX ix_order_items_instance ON order_items (instance_id, period_start);
