-- An issued GST document is a record, not a view (CGST Rules 46 and 53): when an invoice is
-- issued it is numbered in its company's tax series and what it shows is frozen in a snapshot;
-- PDF, HTML and GSTR-1 read the snapshot, never today's names, addresses, GSTINs or plans.
-- A DRAFT that was never issued is a proforma: no number from a tax series, in no return.

-- When the invoice was issued; NULL for a proforma. Every invoice an earlier version numbered
-- in a financial-year series, sent, paid or cancelled, or raised by a registered company (its
-- GSTR-1 counted it), counts as issued; its snapshot is taken by the server at start-up, as
-- the document prints today.
ALTER TABLE invoices ADD COLUMN issued_at TIMESTAMP;
UPDATE invoices SET issued_at = created_at
WHERE status <> 'DRAFT' OR serial IS NOT NULL
   OR company_id IN (SELECT id FROM companies WHERE gstin IS NOT NULL);

-- What an issued invoice or credit note shows, as issued (JSON: the document and its GSTR-1
-- line). One per document; never updated.
CREATE TABLE document_snapshots (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    document TEXT NOT NULL CHECK (document IN ('INVOICE', 'CREDIT_NOTE')),
    document_id BIGINT NOT NULL,
    document_date DATE NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX document_snapshots_key ON document_snapshots (document, document_id);
CREATE INDEX document_snapshots_company_date ON document_snapshots (company_id, document_date);

-- A registered company numbers by financial year (Rule 46(b): at most 16 characters,
-- consecutive): companies with a GSTIN that numbered by timestamp move to the financial-year
-- series from their next document. A prefix another such company already uses becomes
-- I<id> / C<id>. What moved is kept here so that down.sql can put it back.
CREATE TABLE gst_numbering_moved (
    company_id BIGINT NOT NULL PRIMARY KEY,
    invoice_prefix TEXT NOT NULL,
    credit_note_prefix TEXT NOT NULL
);
INSERT INTO gst_numbering_moved (company_id, invoice_prefix, credit_note_prefix)
SELECT id, invoice_prefix, credit_note_prefix FROM companies
WHERE gstin IS NOT NULL AND invoice_numbering = 'TIMESTAMP';
UPDATE companies SET invoice_prefix = 'I' || id
WHERE id IN (SELECT company_id FROM gst_numbering_moved)
  AND EXISTS (SELECT 1 FROM companies o WHERE o.invoice_prefix = companies.invoice_prefix AND o.id <> companies.id
              AND (o.invoice_numbering = 'FINANCIAL_YEAR'
                   OR (o.id < companies.id AND o.id IN (SELECT company_id FROM gst_numbering_moved))));
UPDATE companies SET credit_note_prefix = 'C' || id
WHERE id IN (SELECT company_id FROM gst_numbering_moved)
  AND EXISTS (SELECT 1 FROM companies o WHERE o.credit_note_prefix = companies.credit_note_prefix AND o.id <> companies.id
              AND (o.invoice_numbering = 'FINANCIAL_YEAR'
                   OR (o.id < companies.id AND o.id IN (SELECT company_id FROM gst_numbering_moved))));
UPDATE companies SET invoice_numbering = 'FINANCIAL_YEAR'
WHERE id IN (SELECT company_id FROM gst_numbering_moved);
-- A new company numbers by financial year unless it says otherwise.
ALTER TABLE companies ALTER COLUMN invoice_numbering SET DEFAULT 'FINANCIAL_YEAR';
