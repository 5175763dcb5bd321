DROP INDEX refunds_created_at_idx;
