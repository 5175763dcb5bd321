DROP TRIGGER transactions_no_change ON transactions;
DROP FUNCTION transactions_append_only();
DROP TABLE transactions;
DROP TABLE addon_bills;
DROP TABLE refunds;
DROP TABLE payment_allocations;
ALTER TABLE payments DROP COLUMN refunded_paise;
ALTER TABLE payments DROP COLUMN allocated_paise;
