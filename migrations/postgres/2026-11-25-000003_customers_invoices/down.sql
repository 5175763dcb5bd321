DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE customers;
