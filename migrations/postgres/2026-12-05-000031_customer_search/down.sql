DROP INDEX customers_gstin_trgm_idx;
DROP INDEX customers_caf_no_trgm_idx;
DROP INDEX customers_alternate_mobile_trgm_idx;
DROP INDEX customers_mobile_trgm_idx;
DROP INDEX customers_number_trgm_idx;
DROP INDEX customers_name_trgm_idx;
DROP EXTENSION IF EXISTS pg_trgm;
