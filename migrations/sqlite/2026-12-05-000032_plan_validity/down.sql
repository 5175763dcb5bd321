-- Nothing to undo in the schema, and the data is left as it is: the earlier version bills a
-- plan per 30-day month whatever its validity, so a customer whose period this migration
-- lengthened (periodMonths 1 -> 3) is billed by it the same per month as before, and a
-- validity rounded to whole months was never read by it.
SELECT 1;
