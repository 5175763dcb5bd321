-- Back office: expenses, and the indexes the dashboard and reports read through (each
-- aggregate walks one index range instead of the table: see README "Dashboard and reports").

CREATE TABLE expenses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    category TEXT NOT NULL CHECK (category IN ('BANDWIDTH', 'SALARY', 'RENT', 'EQUIPMENT', 'ELECTRICITY', 'MAINTENANCE', 'OTHER')),
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0 AND amount_paise <= 1000000000),
    expense_date DATE NOT NULL,
    paid_by TEXT,
    notes TEXT,
    created_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX expenses_date_idx ON expenses (expense_date, company_id, category, amount_paise);
CREATE INDEX expenses_company_date_idx ON expenses (company_id, expense_date);

-- Collections by time: completed payments only, with every column the sums read (covering).
CREATE INDEX payments_completed_paid_at_idx ON payments (paid_at, amount_paise, method, collected_by, customer_id, status)
    WHERE status = 'COMPLETED';
-- Outstanding and ageing: the few invoices still owing, not the years of paid ones.
CREATE INDEX invoices_owing_idx ON invoices (customer_id, due_date, balance_paise, company_id, status)
    WHERE balance_paise > 0 AND status <> 'CANCELLED';
-- Invoiced per period.
CREATE INDEX invoices_billed_date_idx ON invoices (invoice_date, total_paise, company_id, customer_id, status)
    WHERE status <> 'CANCELLED';
-- New, renewed and expiring customers.
CREATE INDEX customers_created_idx ON customers (created_at);
CREATE INDEX customers_start_date_idx ON customers (start_date, created_at);
CREATE INDEX customers_status_end_date_idx ON customers (status, end_date);
