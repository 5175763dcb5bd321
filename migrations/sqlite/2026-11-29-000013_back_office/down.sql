DROP INDEX customers_dashboard_idx;
DROP INDEX invoices_billed_date_idx;
DROP INDEX invoices_owing_idx;
DROP INDEX payments_completed_paid_at_idx;
DROP INDEX expenses_company_date_idx;
DROP INDEX expenses_date_idx;
DROP TABLE expenses;
