ALTER TABLE companies DROP COLUMN upi_vpa;
ALTER TABLE companies DROP COLUMN signatory_name;
