DROP INDEX invoices_cycle_period_key;
CREATE UNIQUE INDEX invoices_cycle_period_key ON invoices (customer_id, billing_period_start)
    WHERE billing_run_id IS NOT NULL;
