-- The last line of defence for money: no amount, total or running balance outside
-- ±₹10,000 crore (10^13 paise), far above any single input (at most ₹1 crore) and far below
-- where 64-bit arithmetic wraps.

ALTER TABLE plans ADD CONSTRAINT plans_price_paise_bounded CHECK (price_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE customers ADD CONSTRAINT customers_stb_modem_security_paise_bounded CHECK (stb_modem_security_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_bill_paise_bounded CHECK (bill_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_cgst_paise_bounded CHECK (cgst_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_sgst_paise_bounded CHECK (sgst_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_igst_paise_bounded CHECK (igst_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_installation_paise_bounded CHECK (installation_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_discount_paise_bounded CHECK (discount_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_total_paise_bounded CHECK (total_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_paid_paise_bounded CHECK (paid_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE invoices ADD CONSTRAINT invoices_balance_paise_bounded CHECK (balance_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE payments ADD CONSTRAINT payments_amount_paise_bounded CHECK (amount_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE payments ADD CONSTRAINT payments_allocated_paise_bounded CHECK (allocated_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE payments ADD CONSTRAINT payments_refunded_paise_bounded CHECK (refunded_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE payment_allocations ADD CONSTRAINT payment_allocations_amount_paise_bounded CHECK (amount_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE refunds ADD CONSTRAINT refunds_amount_paise_bounded CHECK (amount_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE addon_bills ADD CONSTRAINT addon_bills_amount_paise_bounded CHECK (amount_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE addon_bills ADD CONSTRAINT addon_bills_cgst_paise_bounded CHECK (cgst_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE addon_bills ADD CONSTRAINT addon_bills_sgst_paise_bounded CHECK (sgst_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE addon_bills ADD CONSTRAINT addon_bills_igst_paise_bounded CHECK (igst_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE transactions ADD CONSTRAINT transactions_amount_paise_bounded CHECK (amount_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE transactions ADD CONSTRAINT transactions_balance_change_paise_bounded CHECK (balance_change_paise BETWEEN -10000000000000 AND 10000000000000);
ALTER TABLE transactions ADD CONSTRAINT transactions_balance_after_paise_bounded CHECK (balance_after_paise BETWEEN -10000000000000 AND 10000000000000);
