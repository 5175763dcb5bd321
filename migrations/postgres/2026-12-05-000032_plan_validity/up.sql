-- A plan's price now buys its `validity_days` (before, every plan was billed per 30-day month
-- whatever its validity said), and a validity is a whole number of 30-day months. Nothing
-- already billed changes: invoices keep their amounts and customers their current period.

-- Validities that are not whole months go to the nearest one (28 -> 30, 365 -> 360), at least
-- one month and at most 120.
UPDATE plans SET validity_days = CASE
        WHEN validity_days < 45 THEN 30
        WHEN validity_days > 3600 THEN 3600
        ELSE ((validity_days + 15) / 30) * 30
    END
WHERE validity_days < 30 OR validity_days > 3600 OR validity_days % 30 <> 0;

-- A customer's billing period must hold whole plan periods: one on a quarterly plan billed
-- monthly is billed quarterly from their next renewal (periodMonths 1 -> 3, 4 -> 6).
UPDATE customers SET period_months = (
        SELECT ((customers.period_months + p.validity_days / 30 - 1) / (p.validity_days / 30)) * (p.validity_days / 30)
        FROM plans p WHERE p.id = customers.plan_id
    )
WHERE period_months % (SELECT p.validity_days / 30 FROM plans p WHERE p.id = customers.plan_id) <> 0;
