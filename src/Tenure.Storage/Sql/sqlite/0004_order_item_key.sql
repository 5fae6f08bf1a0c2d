-- R7.4: a cycle is charged once, and two paid plan changes at one instant are two orders.
-- Every item is keyed by its order (an instance appears once per order). Items that pay for a
-- period - Purchase, Renewal, RenewDowngrade, UnifyExpiry, PaygHour, and any kind added later -
-- stay unique per (instance, period start, kind), so a retried request or worker that charges the
-- same cycle again fails the whole transaction. Upgrade, EditionChange and ChargeTypeChange pay for
-- a change of plan from now, not for a cycle: the instance's own state refuses a repeat (it already
-- runs the new spec or edition), so small -> medium -> large at one instant are two orders.
-- SQLite cannot change a primary key: the table is rebuilt and its rows copied.
CREATE TABLE order_items_rekeyed (
    order_id TEXT NOT NULL REFERENCES orders (id),
    instance_id TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    new_expires_at BIGINT,
    PRIMARY KEY (order_id, instance_id)
);
INSERT INTO order_items_rekeyed (order_id, instance_id, period_start, kind, amount, new_expires_at)
    SELECT order_id, instance_id, period_start, kind, amount, new_expires_at FROM order_items;
-- Drops ix_order_items_order with it: the new primary key leads with order_id.
DROP TABLE order_items;
ALTER TABLE order_items_rekeyed RENAME TO order_items;
CREATE UNIQUE INDEX ux_order_items_cycle ON order_items (instance_id, period_start, kind)
    WHERE kind NOT IN ('Upgrade', 'EditionChange', 'ChargeTypeChange');
