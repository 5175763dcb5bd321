-- Amendments of issued documents (CGST Act section 37(3)): a tax invoice's recipient GSTIN
-- corrected after issue, and with it the invoice's credit and debit notes. Each row is a new
-- version of a document's record (`document_snapshots` keeps the version first issued, never
-- changed): `body` is the document as amended, `before_body` as it stood. `reported_in` is
-- the return period (`YYYY-MM`) whose GSTR-1 reports the amendment (b2ba, cdnra, b2csa) when
-- the document's own month was closed (filed); NULL when its month was open, so the month's
-- own return shows the document as amended.
CREATE TABLE document_amendments (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    document TEXT NOT NULL CHECK (document IN ('INVOICE', 'CREDIT_NOTE')),
    document_id BIGINT NOT NULL,
    document_date DATE NOT NULL,
    amended_on DATE NOT NULL,
    reported_in TEXT,
    before_body TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    amended_by_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX document_amendments_document ON document_amendments (document, document_id, id);
CREATE INDEX document_amendments_reported ON document_amendments (company_id, reported_in);
