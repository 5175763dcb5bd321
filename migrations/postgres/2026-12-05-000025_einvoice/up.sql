-- E-invoicing (CGST Rule 48(4)): a company whose turnover obliges it reports each B2B invoice
-- and credit note to the Invoice Registration Portal (IRP) in the INV-01 JSON schema and gets
-- back an IRN, an acknowledgement and a signed QR code, which the document must then carry.
-- Off by default: only operators above the turnover limit (Rs 5 crore since 1 August 2023)
-- switch it on.
ALTER TABLE companies ADD COLUMN einvoicing BOOLEAN NOT NULL DEFAULT FALSE;

-- What the IRP answered for a document the operator uploaded: one registration per document,
-- never changed. A table of its own keeps the invoice rows narrow.
CREATE TABLE einvoice_registrations (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    document TEXT NOT NULL CHECK (document IN ('INVOICE', 'CREDIT_NOTE', 'DEBIT_NOTE')),
    document_id BIGINT NOT NULL,
    -- Invoice Reference Number: 64 lower-case hex characters (SHA-256).
    irn TEXT NOT NULL CHECK (length(irn) = 64),
    ack_no TEXT NOT NULL,
    ack_date TIMESTAMP NOT NULL,
    -- The signed QR code (a JWS) exactly as the IRP returned it.
    signed_qr TEXT NOT NULL,
    recorded_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX einvoice_registrations_document ON einvoice_registrations (document, document_id);
CREATE UNIQUE INDEX einvoice_registrations_irn ON einvoice_registrations (irn);
