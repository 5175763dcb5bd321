-- Plan-expiry reminders read the ACTIVE customers whose plan ends on each of the next days, 500
-- at a time in id order. With the id in the index each batch starts where the last stopped;
-- before, each walked the customers by id and skipped those not ending soon (on a renewal day,
-- after the renewals had moved their end dates on, 44 ms a batch on PostgreSQL at 100,000).
DROP INDEX customers_status_end_date_idx;
CREATE INDEX customers_status_end_date_idx ON customers (status, end_date, id);
