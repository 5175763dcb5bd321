DROP INDEX invoices_status_due_idx;
