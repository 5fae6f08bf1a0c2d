-- R2, R7.9: a purchase the payment method pays a part of creates nothing until its payment succeeded, so the payment
-- carries the purchase as JSON {request, total, requestedAt}; instance_id is then the ID chosen for the new instance.
-- Null for every other payment.
ALTER TABLE payments ADD COLUMN purchase TEXT;
