-- R7.9, R7.5: a command's payment may complete an order over several instances (a batch renewal): the payment names
-- the first as instance_id and the others here, comma-separated in the batch's order, so its settlement locks them all first.
ALTER TABLE payments ADD COLUMN batch_instance_ids TEXT;
