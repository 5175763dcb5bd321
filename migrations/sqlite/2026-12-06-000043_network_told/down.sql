ALTER TABLE network_credentials DROP COLUMN told_status;
