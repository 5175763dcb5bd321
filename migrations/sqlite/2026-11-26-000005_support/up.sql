-- Complaints, connection requests from the website, and notifications (with their outbound
-- webhook delivery state).

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id TEXT NOT NULL UNIQUE CHECK (length(complaint_id) = 13),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('CONNECTIVITY', 'SPEED', 'BILLING', 'CABLE_SIGNAL', 'INSTALLATION', 'RELOCATION', 'OTHER')),
    priority TEXT NOT NULL CHECK (priority IN ('LOW', 'MEDIUM', 'HIGH', 'URGENT')),
    status TEXT NOT NULL CHECK (status IN ('OPEN', 'IN_PROGRESS', 'RESOLVED', 'CLOSED')),
    assigned_employee_id BIGINT REFERENCES employees (id),
    resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_customer_idx ON complaints (customer_id, id);
CREATE INDEX complaints_status_idx ON complaints (status, id);
CREATE INDEX complaints_employee_idx ON complaints (assigned_employee_id, id);
CREATE INDEX complaints_created_idx ON complaints (created_at);

CREATE TABLE connection_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name TEXT NOT NULL,
    mobile TEXT NOT NULL,
    email TEXT,
    address TEXT NOT NULL,
    locality_id BIGINT REFERENCES localities (id),
    plan_id BIGINT REFERENCES plans (id),
    message TEXT,
    status TEXT NOT NULL CHECK (status IN ('NEW', 'CONTACTED', 'APPROVED', 'REJECTED', 'CONVERTED')),
    customer_id BIGINT REFERENCES customers (id),
    client_address TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX connection_requests_status_idx ON connection_requests (status, id);
CREATE INDEX connection_requests_address_idx ON connection_requests (client_address, created_at);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('EMPLOYEE', 'CUSTOMER')),
    recipient_id BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('COMPLAINT_ASSIGNED', 'COMPLAINT_STATUS_CHANGED', 'PAYMENT_RECEIVED', 'INVOICE_ISSUED', 'PLAN_EXPIRING', 'CONNECTION_REQUEST')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Global ID of what it is about.
    subject_id TEXT,
    -- Makes reminders happen once (e.g. plan expiry per customer, end date and days left).
    dedupe_key TEXT UNIQUE,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    webhook_status TEXT NOT NULL CHECK (webhook_status IN ('NONE', 'PENDING', 'DELIVERED', 'FAILED')),
    webhook_attempts INTEGER NOT NULL DEFAULT 0,
    webhook_next_at TIMESTAMP,
    webhook_last_error TEXT
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_kind, recipient_id, id);
CREATE INDEX notifications_webhook_idx ON notifications (webhook_status, webhook_next_at);
