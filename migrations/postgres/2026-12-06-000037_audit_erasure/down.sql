-- Back to a log that no update passes. Entries already erased stay erased (personal data once
-- erased is not brought back); only the mark of when goes.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
ALTER TABLE audit_log DROP COLUMN erased_at;
DROP INDEX customers_erased_at_idx;
