-- GST documents (CGST Rules 46 and 53): numbering series per company, what each invoice was
-- issued as, and credit notes. Money is integer paise; rates are basis points.

-- How a company numbers its invoices: TIMESTAMP (`INV` + time, the original format) or
-- FINANCIAL_YEAR (`<prefix>/<YY-YY>/<serial>`, consecutive per financial year). Two companies
-- numbering by financial year never share a prefix, so a document number names one document.
ALTER TABLE companies ADD COLUMN invoice_numbering TEXT NOT NULL DEFAULT 'TIMESTAMP'
    CHECK (invoice_numbering IN ('TIMESTAMP', 'FINANCIAL_YEAR'));
ALTER TABLE companies ADD COLUMN invoice_prefix TEXT NOT NULL DEFAULT 'INV';
ALTER TABLE companies ADD COLUMN credit_note_prefix TEXT NOT NULL DEFAULT 'CN';
CREATE UNIQUE INDEX companies_invoice_prefix_fy ON companies (invoice_prefix)
    WHERE invoice_numbering = 'FINANCIAL_YEAR';
CREATE UNIQUE INDEX companies_credit_note_prefix_fy ON companies (credit_note_prefix)
    WHERE invoice_numbering = 'FINANCIAL_YEAR';

-- The last serial issued in each series (a company's invoices or credit notes of one financial
-- year under one prefix). Taken and raised inside the document's own write transaction, so a
-- rolled-back document gives its serial back and no serial is skipped or used twice.
CREATE TABLE document_series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    document TEXT NOT NULL CHECK (document IN ('INVOICE', 'CREDIT_NOTE')),
    series TEXT NOT NULL,
    last_serial BIGINT NOT NULL CHECK (last_serial > 0)
);
CREATE UNIQUE INDEX document_series_key ON document_series (company_id, document, series);

-- What an invoice was issued as, kept with it: the company, the place of supply (the
-- customer's state then), the customer's GSTIN then, the GST rate, and its series and serial
-- (serial only under FINANCIAL_YEAR numbering). SQLite adds NOT NULL columns with a default;
-- every insert sets them.
ALTER TABLE invoices ADD COLUMN company_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN place_of_supply TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN customer_gstin TEXT;
ALTER TABLE invoices ADD COLUMN gst_rate_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN series TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN serial BIGINT;
UPDATE invoices SET
    company_id = (SELECT c.company_id FROM customers c WHERE c.id = invoices.customer_id),
    place_of_supply = (SELECT c.state FROM customers c WHERE c.id = invoices.customer_id),
    customer_gstin = (SELECT c.customer_gst_no FROM customers c WHERE c.id = invoices.customer_id),
    gst_rate_bp = (SELECT co.gst_rate_bp FROM customers c JOIN companies co ON co.id = c.company_id
                   WHERE c.id = invoices.customer_id),
    series = 'INV';
CREATE INDEX invoices_company_date_idx ON invoices (company_id, invoice_date);
CREATE UNIQUE INDEX invoices_series_serial ON invoices (company_id, series, serial) WHERE serial IS NOT NULL;

-- A credit note (CGST Act s. 34): part of an issued invoice's value given back, with the
-- taxes reversed in the invoice's own proportions. Never changed, never deleted.
CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_note_number TEXT NOT NULL UNIQUE,
    series TEXT NOT NULL,
    serial BIGINT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    note_date DATE NOT NULL,
    taxable_paise BIGINT NOT NULL CHECK (taxable_paise >= 0),
    cgst_paise BIGINT NOT NULL CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL CHECK (igst_paise >= 0),
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    reason TEXT NOT NULL,
    issued_by BIGINT REFERENCES employees (id),
    issued_by_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (amount_paise = taxable_paise + cgst_paise + sgst_paise + igst_paise)
);
CREATE INDEX credit_notes_invoice_idx ON credit_notes (invoice_id, id);
CREATE INDEX credit_notes_customer_idx ON credit_notes (customer_id, id);
CREATE INDEX credit_notes_company_date_idx ON credit_notes (company_id, note_date);
CREATE UNIQUE INDEX credit_notes_series_serial ON credit_notes (company_id, series, serial) WHERE serial IS NOT NULL;
CREATE TRIGGER credit_notes_no_update BEFORE UPDATE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'credit_notes is append-only');
END;
CREATE TRIGGER credit_notes_no_delete BEFORE DELETE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'credit_notes is append-only');
END;

-- A ledger row names the credit note it records.
ALTER TABLE transactions ADD COLUMN credit_note_id BIGINT;
