ALTER TABLE login_failures DROP COLUMN pending;
DROP TABLE job_leases;
DROP TABLE cluster_events;
