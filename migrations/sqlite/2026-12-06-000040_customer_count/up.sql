-- The number of customers, kept as rows come and go, so that the customer list's `totalCount`
-- without a filter reads one row instead of counting every customer.
CREATE TABLE table_counts (
    table_name TEXT PRIMARY KEY NOT NULL,
    row_count BIGINT NOT NULL CHECK (row_count >= 0)
);
INSERT INTO table_counts (table_name, row_count) SELECT 'customers', COUNT(*) FROM customers;

CREATE TRIGGER customers_counted_insert AFTER INSERT ON customers
BEGIN
    UPDATE table_counts SET row_count = row_count + 1 WHERE table_name = 'customers';
END;
CREATE TRIGGER customers_counted_delete AFTER DELETE ON customers
BEGIN
    UPDATE table_counts SET row_count = row_count - 1 WHERE table_name = 'customers';
END;
