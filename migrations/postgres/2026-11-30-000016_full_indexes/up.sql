-- Partial indexes with `WHERE column IS NOT NULL` become full ones. They index the same rows
-- that matter: a unique index treats NULLs as distinct on both databases, and a lookup by a
-- foreign key never asks for NULL. On SQLite, a partial `IS NOT NULL` index made every statement
-- on its table with a bound `column = ?` re-prepare whenever the value changed (the planner
-- checks whether the bound value implies the index's condition), which cost about a quarter of
-- a billing run's time.
DROP INDEX invoices_series_serial;
CREATE UNIQUE INDEX invoices_series_serial ON invoices (company_id, series, serial);
DROP INDEX credit_notes_series_serial;
CREATE UNIQUE INDEX credit_notes_series_serial ON credit_notes (company_id, series, serial);
DROP INDEX plan_changes_invoice_idx;
CREATE INDEX plan_changes_invoice_idx ON plan_changes (invoice_id);
DROP INDEX plan_changes_carried_idx;
CREATE INDEX plan_changes_carried_idx ON plan_changes (carried_from_invoice_id);
