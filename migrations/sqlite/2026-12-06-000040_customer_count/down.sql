DROP TRIGGER customers_counted_delete;
DROP TRIGGER customers_counted_insert;
DROP TABLE table_counts;
