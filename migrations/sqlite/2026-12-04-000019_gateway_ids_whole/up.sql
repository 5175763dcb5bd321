-- Gateway ids are kept exactly as the gateway signed them, bounded (README "Payment gateways"):
-- a payment id or event id sent by the gateway is at most 255 characters; an event id the
-- server derives is `<event type>:<payment id>`, at most 100 + 1 + 255 = 356.
--
-- The same id reported again with other money (amount, currency or customer named) is another
-- report, kept for staff beside the first: `conflict_no` counts the rows that held the id
-- before it (0 for the first), and the unique keys include it. SQLite cannot drop a table's
-- UNIQUE constraint, so both tables are rebuilt (the migration runner turns foreign keys off
-- around it and checks them after).
CREATE TABLE gateway_payments_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway_id BIGINT NOT NULL REFERENCES payment_gateways (id),
    gateway_payment_id TEXT NOT NULL CHECK (length(gateway_payment_id) BETWEEN 1 AND 255),
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
    conflict_no INTEGER NOT NULL DEFAULT 0 CHECK (conflict_no >= 0)
);
INSERT INTO gateway_payments_rebuilt (id, gateway_id, gateway_payment_id, amount_paise, currency, method, utr,
    customer_ref, invoice_ref, payment_id, unmatched_reason, paid_at, assigned_by, created_at, updated_at)
SELECT id, gateway_id, gateway_payment_id, amount_paise, currency, method, utr,
    customer_ref, invoice_ref, payment_id, unmatched_reason, paid_at, assigned_by, created_at, updated_at
FROM gateway_payments;
DROP TABLE gateway_payments;
ALTER TABLE gateway_payments_rebuilt RENAME TO gateway_payments;
CREATE UNIQUE INDEX gateway_payments_gateway_payment_key
    ON gateway_payments (gateway_id, gateway_payment_id, conflict_no);
CREATE INDEX gateway_payments_payment_idx ON gateway_payments (payment_id, id);
-- A UPI reference (UTR) reported again under another payment id is looked up here.
CREATE INDEX gateway_payments_utr_idx ON gateway_payments (utr);

CREATE TABLE gateway_events_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway_id BIGINT NOT NULL REFERENCES payment_gateways (id),
    event_id TEXT NOT NULL CHECK (length(event_id) BETWEEN 1 AND 356),
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('RECORDED', 'UNMATCHED', 'DUPLICATE', 'IGNORED')),
    gateway_payment_id BIGINT NULL REFERENCES gateway_payments (id),
    received_at TIMESTAMP NOT NULL,
    conflict_no INTEGER NOT NULL DEFAULT 0 CHECK (conflict_no >= 0)
);
INSERT INTO gateway_events_rebuilt (id, gateway_id, event_id, event_type, outcome, gateway_payment_id, received_at)
SELECT id, gateway_id, event_id, event_type, outcome, gateway_payment_id, received_at FROM gateway_events;
DROP TABLE gateway_events;
ALTER TABLE gateway_events_rebuilt RENAME TO gateway_events;
CREATE UNIQUE INDEX gateway_events_event_key ON gateway_events (gateway_id, event_id, conflict_no);
