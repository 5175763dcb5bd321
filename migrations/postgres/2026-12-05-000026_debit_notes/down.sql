-- Refused while debit notes exist: dropping note_type would turn them into credit notes.
CREATE TEMP TABLE debit_notes_exist_so_this_cannot_be_reverted (
    none INTEGER CONSTRAINT debit_notes_exist_so_this_cannot_be_reverted CHECK (none = 0)
);
INSERT INTO debit_notes_exist_so_this_cannot_be_reverted SELECT 1 FROM credit_notes WHERE note_type = 'DEBIT';
DROP TABLE debit_notes_exist_so_this_cannot_be_reverted;
DROP INDEX companies_debit_note_prefix_fy;
ALTER TABLE companies DROP COLUMN debit_note_prefix;
ALTER TABLE credit_notes DROP COLUMN note_type;
