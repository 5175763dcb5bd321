ALTER TABLE companies ALTER COLUMN invoice_numbering SET DEFAULT 'TIMESTAMP';
UPDATE companies SET
    invoice_numbering = 'TIMESTAMP',
    invoice_prefix = (SELECT m.invoice_prefix FROM gst_numbering_moved m WHERE m.company_id = companies.id),
    credit_note_prefix = (SELECT m.credit_note_prefix FROM gst_numbering_moved m WHERE m.company_id = companies.id)
WHERE id IN (SELECT company_id FROM gst_numbering_moved);
DROP TABLE gst_numbering_moved;
DROP INDEX document_snapshots_company_date;
DROP INDEX document_snapshots_key;
DROP TABLE document_snapshots;
ALTER TABLE invoices DROP COLUMN issued_at;
