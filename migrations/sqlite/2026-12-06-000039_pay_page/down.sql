DROP INDEX radius_sessions_framed_ip_idx;
DROP TABLE pay_lookups;
ALTER TABLE companies DROP COLUMN pay_link;
