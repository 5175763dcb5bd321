-- Where one id was reported with other money, the old unique keys do not hold: reverting then
-- stops with a unique violation rather than lose the money. Settle or remove those rows first.
CREATE TABLE gateway_events_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway_id BIGINT NOT NULL REFERENCES payment_gateways (id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('RECORDED', 'UNMATCHED', 'DUPLICATE', 'IGNORED')),
    gateway_payment_id BIGINT NULL REFERENCES gateway_payments (id),
    received_at TIMESTAMP NOT NULL,
    UNIQUE (gateway_id, event_id)
);
INSERT INTO gateway_events_rebuilt (id, gateway_id, event_id, event_type, outcome, gateway_payment_id, received_at)
SELECT id, gateway_id, event_id, event_type, outcome, gateway_payment_id, received_at FROM gateway_events;
DROP TABLE gateway_events;
ALTER TABLE gateway_events_rebuilt RENAME TO gateway_events;

CREATE TABLE gateway_payments_rebuilt (
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
INSERT INTO gateway_payments_rebuilt (id, gateway_id, gateway_payment_id, amount_paise, currency, method, utr,
    customer_ref, invoice_ref, payment_id, unmatched_reason, paid_at, assigned_by, created_at, updated_at)
SELECT id, gateway_id, gateway_payment_id, amount_paise, currency, method, utr,
    customer_ref, invoice_ref, payment_id, unmatched_reason, paid_at, assigned_by, created_at, updated_at
FROM gateway_payments;
DROP TABLE gateway_payments;
ALTER TABLE gateway_payments_rebuilt RENAME TO gateway_payments;
CREATE INDEX gateway_payments_payment_idx ON gateway_payments (payment_id, id);
