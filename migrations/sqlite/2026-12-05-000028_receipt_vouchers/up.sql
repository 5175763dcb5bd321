-- Advances for services (CGST Act section 13, Rule 50): money a customer paid that is on no
-- issued invoice yet carries tax when received. Each such receipt gets a receipt voucher, in
-- the company's series RV/<YY-YY>/<serial>; when the money reaches an issued invoice (or is
-- refunded) the voucher is adjusted. GSTR-1 reports them in table 11A (at) and 11B (txpd).
-- A voucher never changes once written, except how much of it has been adjusted.
CREATE TABLE receipt_vouchers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id BIGINT NOT NULL REFERENCES companies (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    payment_id BIGINT REFERENCES payments (id),
    series TEXT NOT NULL,
    serial BIGINT NOT NULL CHECK (serial > 0),
    voucher_number TEXT NOT NULL CHECK (length(voucher_number) <= 16),
    voucher_date DATE NOT NULL,
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    taxable_paise BIGINT NOT NULL CHECK (taxable_paise >= 0),
    cgst_paise BIGINT NOT NULL CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL CHECK (igst_paise >= 0),
    rate_bp INTEGER NOT NULL CHECK (rate_bp >= 0),
    pos_code TEXT NOT NULL,
    inter_state BOOLEAN NOT NULL,
    customer_gstin TEXT,
    adjusted_paise BIGINT NOT NULL DEFAULT 0 CHECK (adjusted_paise BETWEEN 0 AND amount_paise),
    document TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX receipt_vouchers_number ON receipt_vouchers (company_id, voucher_number);
CREATE INDEX receipt_vouchers_customer ON receipt_vouchers (customer_id, id);
CREATE INDEX receipt_vouchers_company_date ON receipt_vouchers (company_id, voucher_date);

-- What was taken off a voucher, when and why: the invoice it went to, or a refund.
CREATE TABLE advance_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    voucher_id BIGINT NOT NULL REFERENCES receipt_vouchers (id),
    company_id BIGINT NOT NULL REFERENCES companies (id),
    adjusted_on DATE NOT NULL,
    amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
    taxable_paise BIGINT NOT NULL CHECK (taxable_paise >= 0),
    cgst_paise BIGINT NOT NULL CHECK (cgst_paise >= 0),
    sgst_paise BIGINT NOT NULL CHECK (sgst_paise >= 0),
    igst_paise BIGINT NOT NULL CHECK (igst_paise >= 0),
    invoice_id BIGINT REFERENCES invoices (id),
    cause TEXT NOT NULL CHECK (cause IN ('INVOICED', 'REFUNDED')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX advance_adjustments_voucher ON advance_adjustments (voucher_id, id);
CREATE INDEX advance_adjustments_company_date ON advance_adjustments (company_id, adjusted_on);
