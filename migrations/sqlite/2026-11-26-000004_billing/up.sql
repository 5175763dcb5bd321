-- The billing core: where each payment's money went (allocations), refunds, add-on bills and
-- the append-only ledger. Money is integer paise.

-- How much of a payment sits on invoices, and how much was refunded; the rest is the
-- customer's advance.
ALTER TABLE payments ADD COLUMN allocated_paise BIGINT NOT NULL DEFAULT 0 CHECK (allocated_paise >= 0);
ALTER TABLE payments ADD COLUMN refunded_paise BIGINT NOT NULL DEFAULT 0 CHECK (refunded_paise >= 0);

-- Money of one payment put on one invoice (negative: taken back by a refund).
CREATE TABLE payment_allocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    amount_paise BIGINT NOT NULL CHECK (amount_paise <> 0),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_allocations_payment_idx ON payment_allocations (payment_id, id);
CREATE INDEX payment_allocations_invoice_idx ON payment_allocations (invoice_id, id);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    refund_id TEXT NOT NULL UNIQUE CHECK (length(refund_id) = 15),
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    reason TEXT NOT NULL,
    approved_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, id);
CREATE INDEX refunds_customer_idx ON refunds (customer_id, id);

-- One-off charges: billed on their own invoice, or waiting (invoice_id NULL) for the next one.
CREATE TABLE addon_bills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    addon_type TEXT NOT NULL CHECK (addon_type IN ('ROUTER_SALE', 'RECONNECTION', 'SHIFTING', 'INSTALLATION', 'OTHER')),
    description TEXT NOT NULL,
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    cgst_paise BIGINT NOT NULL CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL CHECK (igst_paise >= 0),
    bill_on TEXT NOT NULL CHECK (bill_on IN ('OWN_INVOICE', 'NEXT_INVOICE')),
    invoice_id BIGINT REFERENCES invoices (id),
    created_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX addon_bills_customer_idx ON addon_bills (customer_id, id);
CREATE INDEX addon_bills_invoice_idx ON addon_bills (invoice_id);

-- The ledger: every money movement of a customer, append-only. balance_change is what the
-- row did to what the customer owes (+ owes more, − owes less); balance_after the running
-- balance. invoice_id has no foreign key: a deleted draft invoice keeps its ledger rows, and
-- so does a deleted customer.
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL UNIQUE CHECK (length(transaction_id) = 15),
    customer_id BIGINT NOT NULL,
    transaction_type TEXT NOT NULL CHECK (transaction_type IN ('INVOICE', 'PAYMENT', 'REFUND', 'ADDON_CHARGE', 'ADVANCE_APPLIED', 'ADJUSTMENT', 'INVOICE_CANCELLED', 'INVOICE_DELETED')),
    amount_paise BIGINT NOT NULL CHECK (amount_paise >= 0),
    balance_change_paise BIGINT NOT NULL,
    balance_after_paise BIGINT NOT NULL,
    invoice_id BIGINT,
    payment_id BIGINT REFERENCES payments (id),
    refund_id BIGINT REFERENCES refunds (id),
    description TEXT NOT NULL,
    recorded_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX transactions_customer_idx ON transactions (customer_id, id);
CREATE INDEX transactions_payment_idx ON transactions (payment_id);
CREATE INDEX transactions_created_idx ON transactions (created_at);
CREATE TRIGGER transactions_no_update BEFORE UPDATE ON transactions
BEGIN
    SELECT RAISE(ABORT, 'transactions is append-only');
END;
CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
BEGIN
    SELECT RAISE(ABORT, 'transactions is append-only');
END;

-- Invoices raised before the ledger existed enter it now, in order.
INSERT INTO transactions (transaction_id, customer_id, transaction_type, amount_paise, balance_change_paise,
                          balance_after_paise, invoice_id, description, created_at)
SELECT 'TXN' || substr('000000000000' || id, -12), customer_id, 'INVOICE', total_paise, total_paise,
       SUM(total_paise) OVER (PARTITION BY customer_id ORDER BY id), id, 'Invoice ' || invoice_number, created_at
FROM invoices ORDER BY id;
