DROP TRIGGER transactions_no_delete;
DROP TRIGGER transactions_no_update;
DROP TABLE transactions;
DROP TABLE addon_bills;
DROP TABLE refunds;
DROP TABLE payment_allocations;
ALTER TABLE payments DROP COLUMN refunded_paise;
ALTER TABLE payments DROP COLUMN allocated_paise;
