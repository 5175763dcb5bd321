-- The daily billing cycle: each run recorded (one per business date), what it could not do
-- recorded per customer, cycle invoices unique per customer and period, and the settings
-- suspension follows (company grace and postpaid limits, a per-customer exemption).

CREATE TABLE billing_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    as_of DATE NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('RUNNING', 'FINISHED')),
    started_by TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 1,
    renewed BIGINT NOT NULL DEFAULT 0,
    overdue BIGINT NOT NULL DEFAULT 0,
    suspended BIGINT NOT NULL DEFAULT 0,
    reminders BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE billing_run_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id BIGINT NOT NULL REFERENCES billing_runs (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX billing_run_errors_run_idx ON billing_run_errors (run_id, id);

-- The run that raised an invoice; one cycle invoice per customer and period start.
ALTER TABLE invoices ADD COLUMN billing_run_id BIGINT;
CREATE UNIQUE INDEX invoices_cycle_period_key ON invoices (customer_id, billing_period_start)
    WHERE billing_run_id IS NOT NULL;

-- Days after a prepaid period starts unpaid before suspension; days a postpaid invoice may
-- stay unpaid past its due date.
ALTER TABLE companies ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE companies ADD COLUMN postpaid_limit_days INTEGER NOT NULL DEFAULT 30;
-- Never suspended by the cycle (a hospital, a police station); suspended by the cycle for
-- dues (a payment that clears them reactivates).
ALTER TABLE customers ADD COLUMN never_suspend BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN suspended_for_dues BOOLEAN NOT NULL DEFAULT 0;

-- Notifications of overdue invoices, suspension and reactivation. SQLite cannot change a
-- CHECK constraint: the table is rebuilt with the wider list.
CREATE TABLE notifications_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('EMPLOYEE', 'CUSTOMER')),
    recipient_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('COMPLAINT_ASSIGNED', 'COMPLAINT_STATUS_CHANGED', 'PAYMENT_RECEIVED', 'INVOICE_ISSUED', 'PLAN_EXPIRING', 'CONNECTION_REQUEST', 'INVOICE_OVERDUE', 'SERVICE_SUSPENDED', 'SERVICE_REACTIVATED')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    subject_id TEXT,
    dedupe_key TEXT UNIQUE,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    webhook_status TEXT NOT NULL CHECK (webhook_status IN ('NONE', 'PENDING', 'DELIVERED', 'FAILED')),
    webhook_attempts INTEGER NOT NULL DEFAULT 0,
    webhook_next_at TIMESTAMP,
    webhook_last_error TEXT
);
INSERT INTO notifications_rebuilt SELECT * FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_rebuilt RENAME TO notifications;
CREATE INDEX notifications_recipient_idx ON notifications (recipient_kind, recipient_id, id);
CREATE INDEX notifications_webhook_idx ON notifications (webhook_status, webhook_next_at);
