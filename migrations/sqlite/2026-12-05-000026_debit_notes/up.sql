-- Debit notes (CGST Act section 34(3)): the value or tax of an issued invoice raised after
-- issue. They are kept with credit notes (GSTR-1 reports both as "cdn", told apart by
-- `ntty`), in a series of their own under `debit_note_prefix`.
ALTER TABLE credit_notes ADD COLUMN note_type TEXT NOT NULL DEFAULT 'CREDIT'
    CHECK (note_type IN ('CREDIT', 'DEBIT'));
ALTER TABLE companies ADD COLUMN debit_note_prefix TEXT NOT NULL DEFAULT 'DN';
-- One company keeps DN; the others get D<id>, so no two share a series.
UPDATE companies SET debit_note_prefix = 'D' || id WHERE id <> (SELECT MIN(id) FROM companies);
CREATE UNIQUE INDEX companies_debit_note_prefix_fy ON companies (debit_note_prefix)
    WHERE invoice_numbering = 'FINANCIAL_YEAR';
