-- Customer search (issue #31 item 2) looks for part of the name, customer number, phones, CAF
-- number and GSTIN with `LIKE '%…%'`. A trigram index per searched column lets PostgreSQL answer
-- each branch of the OR from an index (a bitmap OR), never by reading the whole table.
-- pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_name_trgm_idx ON customers USING gin (lower(full_name) gin_trgm_ops);
CREATE INDEX customers_number_trgm_idx ON customers USING gin (customer_id gin_trgm_ops);
CREATE INDEX customers_mobile_trgm_idx ON customers USING gin (mobile gin_trgm_ops);
CREATE INDEX customers_alternate_mobile_trgm_idx ON customers USING gin (alternate_mobile gin_trgm_ops);
CREATE INDEX customers_caf_no_trgm_idx ON customers USING gin (caf_no gin_trgm_ops);
CREATE INDEX customers_gstin_trgm_idx ON customers USING gin (customer_gst_no gin_trgm_ops);
