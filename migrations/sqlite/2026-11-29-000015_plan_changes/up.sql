-- Plan changes in the middle of a paid period, prorated by days on the next invoice (README
-- "The billing cycle": credit for the old plan's unused days, charge for the new plan's).
-- A line with no plans carries over a credit larger than the invoice it was put on.

CREATE TABLE plan_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    old_plan_id BIGINT REFERENCES plans (id),
    new_plan_id BIGINT REFERENCES plans (id),
    changed_on DATE NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    unused_days INTEGER NOT NULL CHECK (unused_days >= 0),
    period_days INTEGER NOT NULL CHECK (period_days > 0 AND unused_days <= period_days),
    credit_paise BIGINT NOT NULL CHECK (credit_paise >= 0),
    charge_paise BIGINT NOT NULL CHECK (charge_paise >= 0),
    net_paise BIGINT NOT NULL CHECK (net_paise = charge_paise - credit_paise),
    carried_from_invoice_id BIGINT REFERENCES invoices (id),
    invoice_id BIGINT REFERENCES invoices (id),
    created_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_changes_customer_idx ON plan_changes (customer_id, id);
CREATE INDEX plan_changes_pending_idx ON plan_changes (customer_id) WHERE invoice_id IS NULL;
CREATE INDEX plan_changes_invoice_idx ON plan_changes (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX plan_changes_carried_idx ON plan_changes (carried_from_invoice_id) WHERE carried_from_invoice_id IS NOT NULL;
