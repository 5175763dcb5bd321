-- Customer search (issue #31 item 2): PostgreSQL gets trigram indexes for `LIKE '%…%'` here.
-- SQLite has no index for a pattern that starts with a wildcard, and its LIKE already ignores
-- the case of ASCII letters, so there is nothing to add on this side.
SELECT 1;
