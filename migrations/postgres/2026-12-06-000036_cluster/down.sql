DROP TABLE job_leases;
DROP TABLE cluster_events;
