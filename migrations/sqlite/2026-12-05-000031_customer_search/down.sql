-- Nothing to undo: up.sql adds nothing on SQLite.
SELECT 1;
