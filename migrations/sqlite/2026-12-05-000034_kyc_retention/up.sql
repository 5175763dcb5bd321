-- How long a company keeps a terminated customer's KYC record (identity number and personal
-- details) before the daily erasure: the operator's choice under its licence, 2 years unless set.
ALTER TABLE companies ADD COLUMN kyc_retention_days INTEGER NOT NULL DEFAULT 730;
-- When a customer was terminated (the retention runs from it), and when their personal data was
-- erased. Customers terminated before this migration count from their last change.
ALTER TABLE customers ADD COLUMN terminated_at TIMESTAMP;
ALTER TABLE customers ADD COLUMN erased_at TIMESTAMP;
UPDATE customers SET terminated_at = updated_at WHERE status = 'TERMINATED';
