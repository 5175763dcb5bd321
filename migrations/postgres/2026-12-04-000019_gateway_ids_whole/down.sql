-- Where one id was reported with other money, the old unique keys do not hold: reverting then
-- stops with a unique violation rather than lose the money. Settle or remove those rows first.
DROP INDEX gateway_events_event_key;
ALTER TABLE gateway_events ADD CONSTRAINT gateway_events_gateway_id_event_id_key UNIQUE (gateway_id, event_id);
ALTER TABLE gateway_events DROP CONSTRAINT gateway_events_id_bounded;
ALTER TABLE gateway_events DROP COLUMN conflict_no;

DROP INDEX gateway_payments_utr_idx;
DROP INDEX gateway_payments_gateway_payment_key;
ALTER TABLE gateway_payments ADD CONSTRAINT gateway_payments_gateway_id_gateway_payment_id_key
    UNIQUE (gateway_id, gateway_payment_id);
ALTER TABLE gateway_payments DROP CONSTRAINT gateway_payments_id_bounded;
ALTER TABLE gateway_payments DROP COLUMN conflict_no;
