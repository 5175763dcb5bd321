-- Goods sold with the service (routers, ONTs, set-top boxes, cable) carry an HSN code, a
-- quantity and a unit (UQC) on the invoice and in GSTR-1's HSN summary. `hsn` NULL: a service
-- (SAC 9984), with quantity 1 and no unit. Two more kinds of goods: set-top boxes and cable.
ALTER TABLE addon_bills DROP CONSTRAINT addon_bills_addon_type_check;
ALTER TABLE addon_bills ADD CONSTRAINT addon_bills_addon_type_check CHECK (addon_type IN
    ('ROUTER_SALE', 'SET_TOP_BOX_SALE', 'CABLE_SALE', 'RECONNECTION', 'SHIFTING', 'INSTALLATION', 'OTHER'));
ALTER TABLE addon_bills ADD COLUMN hsn TEXT CHECK (hsn IS NULL OR length(hsn) IN (4, 6, 8));
ALTER TABLE addon_bills ADD COLUMN quantity BIGINT NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 1000000);
ALTER TABLE addon_bills ADD COLUMN uqc TEXT CHECK ((uqc IS NULL) = (hsn IS NULL));
-- Routers and ONTs sold so far are goods too, where no issued invoice printed them yet.
UPDATE addon_bills SET hsn = '8517', uqc = 'NOS' WHERE addon_type = 'ROUTER_SALE'
    AND (invoice_id IS NULL OR invoice_id IN (SELECT id FROM invoices WHERE issued_at IS NULL));
