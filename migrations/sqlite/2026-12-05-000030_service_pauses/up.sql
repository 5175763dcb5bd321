-- Service pauses (issue #31 item 6): a travelling customer's service stops on `paused_on`
-- (status SUSPENDED) and comes back on `resumed_on`; the customer's end date then moves by
-- `days` = resumed_on - paused_on, so the paid days are given back. While a pause is open
-- (`resumed_on` NULL) the billing cycle does not renew the customer. One open pause per
-- customer.

CREATE TABLE service_pauses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    paused_on DATE NOT NULL,
    resumed_on DATE,
    days INTEGER,
    reason TEXT,
    created_by BIGINT REFERENCES employees (id),
    resumed_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((resumed_on IS NULL AND days IS NULL) OR (resumed_on >= paused_on AND days >= 0))
);
CREATE INDEX service_pauses_customer_idx ON service_pauses (customer_id, id);
CREATE UNIQUE INDEX service_pauses_open_idx ON service_pauses (customer_id) WHERE resumed_on IS NULL;
