-- A receipt voucher's serial is the highest of its series plus one (taken under the series'
-- lock). Without this index that highest serial was found by reading every voucher of the
-- company (`receipt_vouchers_company_date`), a cost that grew all year while the lock was held;
-- with it, it is one step down the index. Unique: a series never gives a serial twice.
CREATE UNIQUE INDEX receipt_vouchers_series_serial ON receipt_vouchers (company_id, series, serial);
-- The vouchers of a payment: SQLite looks for them on every insert into payments (the foreign
-- key), and read every voucher to do so.
CREATE INDEX receipt_vouchers_payment ON receipt_vouchers (payment_id);
