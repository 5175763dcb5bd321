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

-- Money recorded before this migration joins the new bookkeeping. A completed payment made
-- against an invoice sat on that invoice (that is how its paid amount was counted).
UPDATE payments SET allocated_paise = amount_paise WHERE status = 'COMPLETED' AND invoice_id IS NOT NULL;
INSERT INTO payment_allocations (payment_id, invoice_id, amount_paise, created_at)
SELECT id, invoice_id, amount_paise, paid_at FROM payments
WHERE status = 'COMPLETED' AND invoice_id IS NOT NULL ORDER BY id;

-- The ledger of what happened so far, per customer in time order with running balances:
-- invoices raised (on their invoice date), completed payments, cancellations.
INSERT INTO transactions (transaction_id, customer_id, transaction_type, amount_paise, balance_change_paise,
                          balance_after_paise, invoice_id, payment_id, description, created_at)
SELECT 'TXN' || substr('000000000000' || ROW_NUMBER() OVER (ORDER BY customer_id, at, ord, ref), -12),
       customer_id, kind, amount, change,
       SUM(change) OVER (PARTITION BY customer_id ORDER BY at, ord, ref ROWS UNBOUNDED PRECEDING),
       invoice_id, payment_id, description, at
FROM (
    SELECT customer_id, invoice_date || ' 00:00:00' AS at, 0 AS ord, id AS ref, 'INVOICE' AS kind,
           total_paise AS amount, total_paise AS change, id AS invoice_id, NULL AS payment_id,
           'Invoice ' || invoice_number AS description
    FROM invoices
    UNION ALL
    SELECT customer_id, paid_at, 1, id, 'PAYMENT', amount_paise, -amount_paise, invoice_id, id,
           'Payment ' || payment_id || ' by ' || method
    FROM payments WHERE status = 'COMPLETED'
    UNION ALL
    SELECT customer_id, updated_at, 2, id, 'INVOICE_CANCELLED', total_paise, -total_paise, id, NULL,
           'Invoice ' || invoice_number || ' cancelled'
    FROM invoices WHERE status = 'CANCELLED'
) movements;
