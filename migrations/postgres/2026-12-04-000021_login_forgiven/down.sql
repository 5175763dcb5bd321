ALTER TABLE login_failures DROP COLUMN slows_username;
