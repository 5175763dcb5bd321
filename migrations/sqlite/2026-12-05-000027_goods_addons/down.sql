-- Refused while set-top box or cable sales exist: the earlier kinds cannot hold them.
CREATE TABLE addon_bills_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    addon_type TEXT NOT NULL CHECK (addon_type IN ('ROUTER_SALE', 'RECONNECTION', 'SHIFTING', 'INSTALLATION', 'OTHER')),
    description TEXT NOT NULL,
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    cgst_paise BIGINT NOT NULL CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL CHECK (igst_paise >= 0),
    bill_on TEXT NOT NULL CHECK (bill_on IN ('OWN_INVOICE', 'NEXT_INVOICE')),
    invoice_id BIGINT REFERENCES invoices (id),
    created_by BIGINT REFERENCES employees (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO addon_bills_rebuilt (id, customer_id, addon_type, description, amount_paise, cgst_paise, sgst_paise, igst_paise, bill_on, invoice_id, created_by, created_at, updated_at) SELECT id, customer_id, addon_type, description, amount_paise, cgst_paise, sgst_paise, igst_paise, bill_on, invoice_id, created_by, created_at, updated_at FROM addon_bills;
-- Ids are never used twice: the rebuilt table goes on from the old one's sequence.
DELETE FROM sqlite_sequence WHERE name = 'addon_bills_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'addon_bills_rebuilt', seq FROM sqlite_sequence WHERE name = 'addon_bills';
DROP TABLE addon_bills;
ALTER TABLE addon_bills_rebuilt RENAME TO addon_bills;
CREATE INDEX addon_bills_customer_idx ON addon_bills (customer_id, id);
CREATE INDEX addon_bills_invoice_idx ON addon_bills (invoice_id);
CREATE TRIGGER addon_bills_money_bounded_insert BEFORE INSERT ON addon_bills
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.cgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.sgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.igst_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: addon_bills money out of range');
END;
CREATE TRIGGER addon_bills_money_bounded_update BEFORE UPDATE ON addon_bills
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.cgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.sgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.igst_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: addon_bills money out of range');
END;
