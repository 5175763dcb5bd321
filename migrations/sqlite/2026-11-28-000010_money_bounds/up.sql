-- The last line of defence for money: no amount, total or running balance outside
-- ±₹10,000 crore (10^13 paise), far above any single input (at most ₹1 crore) and far below
-- where 64-bit arithmetic wraps.
-- SQLite cannot add a CHECK to an existing table: triggers refuse the same rows.

CREATE TRIGGER plans_money_bounded_insert BEFORE INSERT ON plans
WHEN NEW.price_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: plans money out of range');
END;
CREATE TRIGGER plans_money_bounded_update BEFORE UPDATE ON plans
WHEN NEW.price_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: plans money out of range');
END;
CREATE TRIGGER customers_money_bounded_insert BEFORE INSERT ON customers
WHEN NEW.stb_modem_security_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: customers money out of range');
END;
CREATE TRIGGER customers_money_bounded_update BEFORE UPDATE ON customers
WHEN NEW.stb_modem_security_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: customers money out of range');
END;
CREATE TRIGGER invoices_money_bounded_insert BEFORE INSERT ON invoices
WHEN NEW.bill_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.cgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.sgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.igst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.installation_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.discount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.total_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.paid_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.balance_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: invoices money out of range');
END;
CREATE TRIGGER invoices_money_bounded_update BEFORE UPDATE ON invoices
WHEN NEW.bill_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.cgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.sgst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.igst_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.installation_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.discount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.total_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.paid_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.balance_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: invoices money out of range');
END;
CREATE TRIGGER payments_money_bounded_insert BEFORE INSERT ON payments
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.allocated_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.refunded_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payments money out of range');
END;
CREATE TRIGGER payments_money_bounded_update BEFORE UPDATE ON payments
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.allocated_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.refunded_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payments money out of range');
END;
CREATE TRIGGER payment_allocations_money_bounded_insert BEFORE INSERT ON payment_allocations
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payment_allocations money out of range');
END;
CREATE TRIGGER payment_allocations_money_bounded_update BEFORE UPDATE ON payment_allocations
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: payment_allocations money out of range');
END;
CREATE TRIGGER refunds_money_bounded_insert BEFORE INSERT ON refunds
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: refunds money out of range');
END;
CREATE TRIGGER refunds_money_bounded_update BEFORE UPDATE ON refunds
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: refunds money out of range');
END;
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
CREATE TRIGGER transactions_money_bounded_insert BEFORE INSERT ON transactions
WHEN NEW.amount_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.balance_change_paise NOT BETWEEN -10000000000000 AND 10000000000000 OR NEW.balance_after_paise NOT BETWEEN -10000000000000 AND 10000000000000
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: transactions money out of range');
END;
