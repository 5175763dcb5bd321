-- Duplicate payments are found by the reference's key, not its exact text: the application
-- stores `payment_reference` as entered and `payment_reference_key` folded (Unicode NFKC, lower
-- case, no whitespace or invisible characters; `payments::rules::reference_key`). One key
-- counts once per method.
ALTER TABLE payments ADD COLUMN payment_reference_key TEXT NULL;

-- Rows recorded before get a best-effort key: plain spaces dropped and lower case. Non-ASCII
-- variants in old rows (full-width letters, no-break or zero-width spaces, ...) are not folded.
UPDATE payments SET payment_reference_key = lower(replace(payment_reference, ' ', ''))
WHERE payment_reference IS NOT NULL;

-- Old rows whose keys now collide are left as they are: the first (lowest id) keeps the key,
-- later ones get their reference, ' #' and their id. That is unique (it ends in the id) and can
-- never equal a real key (keys have no spaces).
UPDATE payments SET payment_reference_key = payment_reference || ' #' || id
WHERE payment_reference_key IS NOT NULL AND EXISTS (
    SELECT 1 FROM payments AS earlier
    WHERE earlier.method = payments.method
      AND earlier.payment_reference_key = payments.payment_reference_key
      AND earlier.id < payments.id
);

DROP INDEX payments_method_reference_key;
CREATE UNIQUE INDEX payments_method_reference_key_unique ON payments (method, payment_reference_key);
