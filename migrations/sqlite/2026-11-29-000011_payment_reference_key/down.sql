DROP INDEX payments_method_reference_key_unique;
ALTER TABLE payments DROP COLUMN payment_reference_key;
-- A gateway or UPI reference counts once per method.
CREATE UNIQUE INDEX payments_method_reference_key ON payments (method, payment_reference);
