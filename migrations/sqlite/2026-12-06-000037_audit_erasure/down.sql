-- Back to a log that no update passes. Entries already erased stay erased (personal data once
-- erased is not brought back); only the mark of when goes.
DROP TRIGGER audit_log_no_update;
DROP INDEX customers_erased_at_idx;
ALTER TABLE audit_log DROP COLUMN erased_at;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
