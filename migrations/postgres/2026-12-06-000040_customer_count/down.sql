DROP TRIGGER customers_counted_delete ON customers;
DROP TRIGGER customers_counted_insert ON customers;
DROP FUNCTION customers_counted();
DROP TABLE table_counts;
