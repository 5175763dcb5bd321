DROP TABLE plan_changes;
