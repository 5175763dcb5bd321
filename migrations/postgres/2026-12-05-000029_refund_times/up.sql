-- Refunds by the time they were made (issue #31 item 4): the dashboard's `refunded`, the
-- collections report's refund lines and the refunds report read a range of `created_at`, the
-- lines in (time, id) order.
CREATE INDEX refunds_created_at_idx ON refunds (created_at, id);
