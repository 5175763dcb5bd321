-- One invoice per customer and billing period for the billing cycle's invoices, as an index on
-- an expression instead of a partial index `WHERE billing_run_id IS NOT NULL`: the same rule
-- (other invoices index NULL, and NULLs are distinct), but SQLite no longer re-prepares every
-- statement on invoices that binds `col = ?` (see migration 000016).
DROP INDEX invoices_cycle_period_key;
CREATE UNIQUE INDEX invoices_cycle_period_key
    ON invoices (customer_id, (CASE WHEN billing_run_id IS NOT NULL THEN billing_period_start END));
