-- The billing run's overdue step reads unpaid DRAFT and SENT invoices past their due date, 200
-- at a time. It used the index on (status, id): every open invoice, overdue or not, read and
-- sorted for each batch. With the due date in the index it reads only those past it.
CREATE INDEX invoices_status_due_idx ON invoices (status, due_date, id);
