-- Customers, their invoices and payments. Money is integer paise; dates are business dates
-- (India, UTC+05:30); timestamps are UTC.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT NOT NULL UNIQUE CHECK (length(customer_id) = 10),
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    full_name TEXT NOT NULL,
    nickname TEXT,
    email TEXT,
    mobile TEXT NOT NULL,
    alternate_mobile TEXT,
    customer_gst_no TEXT,
    id_proof_type TEXT CHECK (id_proof_type IN ('VOTER_ID', 'PASSPORT', 'DRIVING_LICENSE', 'SERVICE_ID_CARD', 'AADHAR_CARD', 'PASSBOOK', 'OTHER')),
    id_proof_no TEXT,
    house_number TEXT,
    address TEXT NOT NULL,
    locality_id BIGINT REFERENCES localities (id),
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    pincode TEXT NOT NULL,
    service_type TEXT NOT NULL CHECK (service_type IN ('BROADBAND', 'CABLE_TV')),
    no_of_connections INTEGER NOT NULL DEFAULT 1 CHECK (no_of_connections > 0),
    company_id BIGINT NOT NULL REFERENCES companies (id),
    auto_renew BOOLEAN NOT NULL DEFAULT FALSE,
    caf_no TEXT NOT NULL UNIQUE,
    mac_address TEXT,
    mac_address_detail TEXT,
    ip_address TEXT,
    vendor TEXT,
    modem_no TEXT,
    modem_no_detail TEXT,
    stb_modem_security_paise BIGINT NOT NULL DEFAULT 0 CHECK (stb_modem_security_paise >= 0),
    plan_id BIGINT NOT NULL REFERENCES plans (id),
    period_months INTEGER NOT NULL CHECK (period_months > 0),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    billing_type TEXT NOT NULL CHECK (billing_type IN ('PREPAID', 'POSTPAID')),
    assigned_employee_id BIGINT REFERENCES employees (id),
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'DEACTIVE', 'SUSPENDED', 'TERMINATED')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX customers_username_key ON customers (lower(username));
CREATE INDEX customers_status_idx ON customers (status, id);
CREATE INDEX customers_service_type_idx ON customers (service_type, id);
CREATE INDEX customers_locality_idx ON customers (locality_id, id);
CREATE INDEX customers_company_idx ON customers (company_id, id);
CREATE INDEX customers_plan_idx ON customers (plan_id);
CREATE INDEX customers_employee_idx ON customers (assigned_employee_id, id);
CREATE INDEX customers_billing_type_idx ON customers (billing_type, id);
CREATE INDEX customers_end_date_idx ON customers (end_date);
CREATE INDEX customers_mobile_idx ON customers (mobile);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    bill_paise BIGINT NOT NULL CHECK (bill_paise >= 0),
    cgst_paise BIGINT NOT NULL CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL CHECK (igst_paise >= 0),
    installation_paise BIGINT NOT NULL CHECK (installation_paise >= 0),
    discount_paise BIGINT NOT NULL CHECK (discount_paise >= 0),
    total_paise BIGINT NOT NULL,
    paid_paise BIGINT NOT NULL DEFAULT 0,
    balance_paise BIGINT NOT NULL,
    invoice_date DATE NOT NULL,
    due_date DATE NOT NULL,
    billing_period_start DATE,
    billing_period_end DATE,
    status TEXT NOT NULL CHECK (status IN ('DRAFT', 'SENT', 'PAID', 'OVERDUE', 'CANCELLED')),
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (total_paise = bill_paise + cgst_paise + sgst_paise + igst_paise + installation_paise - discount_paise),
    CHECK (balance_paise = total_paise - paid_paise)
);
CREATE INDEX invoices_customer_idx ON invoices (customer_id, id);
CREATE INDEX invoices_status_idx ON invoices (status, id);
CREATE INDEX invoices_date_idx ON invoices (invoice_date);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    invoice_id BIGINT REFERENCES invoices (id),
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    method TEXT NOT NULL CHECK (method IN ('CASH', 'PAYTM', 'PHONEPE', 'GOOGLEPAY', 'CHEQUE', 'NET_BANKING', 'EXCITEL', 'WIOM')),
    payment_reference TEXT,
    remarks TEXT,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
    collected_by BIGINT REFERENCES employees (id),
    paid_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A gateway or UPI reference counts once per method.
CREATE UNIQUE INDEX payments_method_reference_key ON payments (method, payment_reference);
CREATE INDEX payments_invoice_idx ON payments (invoice_id, id);
CREATE INDEX payments_customer_idx ON payments (customer_id, id);
