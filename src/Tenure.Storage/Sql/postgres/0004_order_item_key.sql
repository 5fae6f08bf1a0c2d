-- R7.4: a cycle is charged once, and two paid plan changes at one instant are two orders.
-- Every item is keyed by its order (an instance appears once per order). Items that pay for a
-- period - Purchase, Renewal, RenewDowngrade, UnifyExpiry, PaygHour, and any kind added later -
-- stay unique per (instance, period start, kind), so a retried request or worker that charges the
-- same cycle again fails the whole transaction. Upgrade, EditionChange and ChargeTypeChange pay for
-- a change of plan from now, not for a cycle: the instance's own state refuses a repeat (it already
-- runs the new spec or edition), so small -> medium -> large at one instant are two orders.
ALTER TABLE order_items DROP CONSTRAINT order_items_pkey;
ALTER TABLE order_items ADD CONSTRAINT order_items_pkey PRIMARY KEY (order_id, instance_id);
-- The new primary key leads with order_id.
DROP INDEX ix_order_items_order;
CREATE UNIQUE INDEX ux_order_items_cycle ON order_items (instance_id, period_start, kind)
    WHERE kind NOT IN ('Upgrade', 'EditionChange', 'ChargeTypeChange');
