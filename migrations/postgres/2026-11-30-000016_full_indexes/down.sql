DROP INDEX plan_changes_carried_idx;
CREATE INDEX plan_changes_carried_idx ON plan_changes (carried_from_invoice_id) WHERE carried_from_invoice_id IS NOT NULL;
DROP INDEX plan_changes_invoice_idx;
CREATE INDEX plan_changes_invoice_idx ON plan_changes (invoice_id) WHERE invoice_id IS NOT NULL;
DROP INDEX credit_notes_series_serial;
CREATE UNIQUE INDEX credit_notes_series_serial ON credit_notes (company_id, series, serial) WHERE serial IS NOT NULL;
DROP INDEX invoices_series_serial;
CREATE UNIQUE INDEX invoices_series_serial ON invoices (company_id, series, serial) WHERE serial IS NOT NULL;
