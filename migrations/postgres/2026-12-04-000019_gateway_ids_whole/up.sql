-- Gateway ids are kept exactly as the gateway signed them, bounded (README "Payment gateways"):
-- a payment id or event id sent by the gateway is at most 255 characters; an event id the
-- server derives is `<event type>:<payment id>`, at most 100 + 1 + 255 = 356.
--
-- The same id reported again with other money (amount, currency or customer named) is another
-- report, kept for staff beside the first: `conflict_no` counts the rows that held the id
-- before it (0 for the first), and the unique keys include it.
ALTER TABLE gateway_payments ADD COLUMN conflict_no INTEGER NOT NULL DEFAULT 0
    CONSTRAINT gateway_payments_conflict_no_check CHECK (conflict_no >= 0);
ALTER TABLE gateway_payments ADD CONSTRAINT gateway_payments_id_bounded
    CHECK (length(gateway_payment_id) BETWEEN 1 AND 255);
ALTER TABLE gateway_payments DROP CONSTRAINT gateway_payments_gateway_id_gateway_payment_id_key;
CREATE UNIQUE INDEX gateway_payments_gateway_payment_key
    ON gateway_payments (gateway_id, gateway_payment_id, conflict_no);
-- A UPI reference (UTR) reported again under another payment id is looked up here.
CREATE INDEX gateway_payments_utr_idx ON gateway_payments (utr);

ALTER TABLE gateway_events ADD COLUMN conflict_no INTEGER NOT NULL DEFAULT 0
    CONSTRAINT gateway_events_conflict_no_check CHECK (conflict_no >= 0);
ALTER TABLE gateway_events ADD CONSTRAINT gateway_events_id_bounded
    CHECK (length(event_id) BETWEEN 1 AND 356);
ALTER TABLE gateway_events DROP CONSTRAINT gateway_events_gateway_id_event_id_key;
CREATE UNIQUE INDEX gateway_events_event_key ON gateway_events (gateway_id, event_id, conflict_no);
