ALTER TABLE stripe_refunds DROP COLUMN reversal_entry_id;
ALTER TABLE stripe_refunds DROP COLUMN failed_at;
