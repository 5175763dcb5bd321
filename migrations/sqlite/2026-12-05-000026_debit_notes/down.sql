DROP INDEX companies_debit_note_prefix_fy;
ALTER TABLE companies DROP COLUMN debit_note_prefix;
ALTER TABLE credit_notes DROP COLUMN note_type;
