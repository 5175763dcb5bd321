DROP TABLE advance_adjustments;
DROP TABLE receipt_vouchers;
