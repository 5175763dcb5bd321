DROP TABLE secrets_check;
