-- Refused while set-top box or cable sales exist: the earlier kinds cannot hold them.
ALTER TABLE addon_bills DROP COLUMN uqc;
ALTER TABLE addon_bills DROP COLUMN quantity;
ALTER TABLE addon_bills DROP COLUMN hsn;
ALTER TABLE addon_bills DROP CONSTRAINT addon_bills_addon_type_check;
ALTER TABLE addon_bills ADD CONSTRAINT addon_bills_addon_type_check CHECK (addon_type IN
    ('ROUTER_SALE', 'RECONNECTION', 'SHIFTING', 'INSTALLATION', 'OTHER'));
