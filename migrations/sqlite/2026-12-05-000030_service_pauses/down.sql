DROP TABLE service_pauses;
