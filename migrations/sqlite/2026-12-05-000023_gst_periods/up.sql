-- Months whose GSTR-1 a company has filed: no document dated in a closed month is issued,
-- cancelled or changed; corrections go into the open month as credit notes. Reopened (the
-- row deleted) only by an administrator, in the audit log.
CREATE TABLE gst_periods_closed (
    company_id BIGINT NOT NULL REFERENCES companies (id),
    period TEXT NOT NULL CHECK (length(period) = 7),
    closed_at TIMESTAMP NOT NULL,
    closed_by BIGINT REFERENCES employees (id),
    closed_by_name TEXT NOT NULL,
    PRIMARY KEY (company_id, period)
);
