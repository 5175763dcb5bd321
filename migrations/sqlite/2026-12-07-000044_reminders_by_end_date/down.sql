DROP INDEX customers_status_end_date_idx;
CREATE INDEX customers_status_end_date_idx ON customers (status, end_date);
