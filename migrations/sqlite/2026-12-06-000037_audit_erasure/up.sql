-- Erasure after the KYC retention (DPDP Act) reaches the audit log: the personal values in a
-- customer's old entries (a former name or phone in `updateCustomer`, a complaint's text) are
-- blanked once, and the entry says when. Nothing else about an entry can change (who, when,
-- what operation, which objects), only a customer actor's name may become their erased one,
-- and no entry can be deleted. The change is let through only as part of a customer's erasure:
-- its `erased_at` must be the one that erasure has just set on the customer (same transaction).
ALTER TABLE audit_log ADD COLUMN erased_at TIMESTAMP;
CREATE INDEX customers_erased_at_idx ON customers (erased_at);
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
    AND EXISTS (SELECT 1 FROM customers WHERE customers.erased_at = NEW.erased_at)
    AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_kind = OLD.actor_kind
    AND NEW.actor_id IS OLD.actor_id AND NEW.operation = OLD.operation
    AND NEW.target_ids = OLD.target_ids
    AND (NEW.actor_name = OLD.actor_name OR NEW.actor_kind = 'CUSTOMER')
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
