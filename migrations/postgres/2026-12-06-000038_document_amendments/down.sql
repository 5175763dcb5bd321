-- Refused while documents have been amended: the earlier version would print and file them
-- as first issued, undoing corrections already reported to the GST portal.
CREATE TEMP TABLE documents_were_amended_so_this_cannot_be_reverted (
    none INTEGER CONSTRAINT documents_were_amended_so_this_cannot_be_reverted CHECK (none = 0)
);
INSERT INTO documents_were_amended_so_this_cannot_be_reverted SELECT 1 FROM document_amendments;
DROP TABLE documents_were_amended_so_this_cannot_be_reverted;
DROP TABLE document_amendments;
