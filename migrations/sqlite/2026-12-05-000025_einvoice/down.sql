DROP INDEX einvoice_registrations_irn;
DROP INDEX einvoice_registrations_document;
DROP TABLE einvoice_registrations;
ALTER TABLE companies DROP COLUMN einvoicing;
