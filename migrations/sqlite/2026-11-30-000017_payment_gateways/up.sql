-- Payment gateways, the notifications they send, the money they report (matched to a payment
-- of ours or kept unmatched for staff), idempotency keys of money mutations, and UPI
-- references (UTR) that count once across every channel. README "Payment gateways".

-- `payments.method` gains UPI (any UPI app, or a gateway's UPI) and ONLINE (a gateway's card,
-- wallet or other instrument), and `upi_utr`. SQLite cannot change a CHECK in place, so the
-- table is rebuilt (the migration runner turns foreign keys off around it and checks them after).
CREATE TABLE payments_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    invoice_id BIGINT REFERENCES invoices (id),
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    method TEXT NOT NULL CHECK (method IN ('CASH', 'PAYTM', 'PHONEPE', 'GOOGLEPAY', 'CHEQUE', 'NET_BANKING', 'EXCITEL', 'WIOM', 'UPI', 'ONLINE')),
    payment_reference TEXT,
    remarks TEXT,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
    collected_by BIGINT REFERENCES employees (id),
    paid_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    allocated_paise BIGINT NOT NULL DEFAULT 0 CHECK (allocated_paise >= 0),
    refunded_paise BIGINT NOT NULL DEFAULT 0 CHECK (refunded_paise >= 0),
    payment_reference_key TEXT NULL,
    -- The UPI transaction reference (12 digits), whoever reported it: unique, so one UPI
    -- payment entered by hand and reported by a gateway is one payment.
    upi_utr TEXT NULL
);
INSERT INTO payments_rebuilt (id, payment_id, customer_id, invoice_id, amount_paise, method, payment_reference,
    remarks, status, collected_by, paid_at, created_at, updated_at, allocated_paise, refunded_paise, payment_reference_key)
SELECT id, payment_id, customer_id, invoice_id, amount_paise, method, payment_reference,
    remarks, status, collected_by, paid_at, created_at, updated_at, allocated_paise, refunded_paise, payment_reference_key
FROM payments;
DROP TABLE payments;
ALTER TABLE payments_rebuilt RENAME TO payments;
CREATE INDEX payments_invoice_idx ON payments (invoice_id, id);
CREATE INDEX payments_customer_idx ON payments (customer_id, id);
CREATE UNIQUE INDEX payments_method_reference_key_unique ON payments (method, payment_reference_key);
CREATE INDEX payments_completed_paid_at_idx ON payments (paid_at, amount_paise, method, collected_by, customer_id, status)
    WHERE status = 'COMPLETED';
-- Payments entered by hand before: a UPI app's 12-digit reference is its UTR. Where one UTR was
-- entered under two apps, the first (lowest id) keeps it.
UPDATE payments SET upi_utr = payment_reference_key
WHERE method IN ('PAYTM', 'PHONEPE', 'GOOGLEPAY')
  AND payment_reference_key GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'
  AND NOT EXISTS (
    SELECT 1 FROM payments AS earlier
    WHERE earlier.method IN ('PAYTM', 'PHONEPE', 'GOOGLEPAY')
      AND earlier.payment_reference_key = payments.payment_reference_key
      AND earlier.id < payments.id
  );
CREATE UNIQUE INDEX payments_upi_utr_unique ON payments (upi_utr);
CREATE TRIGGER payments_money_bounded_insert BEFORE INSERT ON payments
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.allocated_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.refunded_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payments money out of range');
END;
CREATE TRIGGER payments_money_bounded_update BEFORE UPDATE ON payments
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.allocated_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.refunded_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payments money out of range');
END;

-- A company's account with a gateway. The webhook secret is sealed (`src/secrets.rs`).
CREATE TABLE payment_gateways (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    provider TEXT NOT NULL CHECK (provider IN ('RAZORPAY', 'CASHFREE', 'PHONEPE', 'PAYTM', 'GENERIC_HMAC')),
    key_id TEXT NOT NULL,
    webhook_secret_sealed TEXT NOT NULL,
    is_active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_gateways_company_idx ON payment_gateways (company_id, id);

-- Money a gateway reported as captured, once per gateway payment id: on a payment of ours, or
-- unmatched (with the reason) until staff assign it to a customer.
CREATE TABLE gateway_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway_id BIGINT NOT NULL REFERENCES payment_gateways (id),
    gateway_payment_id TEXT NOT NULL,
    amount_paise BIGINT NOT NULL CHECK (amount_paise BETWEEN -10000000000000 AND 10000000000000),
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    utr TEXT NULL,
    customer_ref TEXT NULL,
    invoice_ref TEXT NULL,
    payment_id BIGINT NULL REFERENCES payments (id),
    unmatched_reason TEXT NULL,
    paid_at TIMESTAMP NOT NULL,
    assigned_by BIGINT NULL REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (gateway_id, gateway_payment_id)
);
CREATE INDEX gateway_payments_payment_idx ON gateway_payments (payment_id, id);

-- Each notification with a good signature, once per (gateway, event id).
CREATE TABLE gateway_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway_id BIGINT NOT NULL REFERENCES payment_gateways (id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('RECORDED', 'UNMATCHED', 'DUPLICATE', 'IGNORED')),
    gateway_payment_id BIGINT NULL REFERENCES gateway_payments (id),
    received_at TIMESTAMP NOT NULL,
    UNIQUE (gateway_id, event_id)
);

-- Idempotency keys of money mutations, per caller: the first result of a key is returned to
-- its retries. Kept 48 hours.
CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    caller TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (caller, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
