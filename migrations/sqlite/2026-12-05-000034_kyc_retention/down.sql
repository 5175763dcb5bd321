ALTER TABLE customers DROP COLUMN erased_at;
ALTER TABLE customers DROP COLUMN terminated_at;
ALTER TABLE companies DROP COLUMN kyc_retention_days;
