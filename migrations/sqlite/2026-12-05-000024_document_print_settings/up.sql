-- What a company's documents print beyond Rule 46's particulars (issue #30 item 10):
-- the name of the person who signs for it (the "Authorised signatory" block, frozen into each
-- document issued from now on) and its UPI address, for the QR code that pays an invoice's
-- balance (drawn when the document is read, never stored in it). Both optional; NULL prints
-- the block without a name and no QR code.
ALTER TABLE companies ADD COLUMN signatory_name TEXT;
ALTER TABLE companies ADD COLUMN upi_vpa TEXT;
