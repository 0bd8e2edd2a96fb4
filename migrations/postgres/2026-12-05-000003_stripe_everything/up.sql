-- A refund that later failed (or a dispute whose funds were reinstated) gave the money back:
-- failed_at marks it, so that a report arriving late never writes it, and reversal_entry_id is
-- the entry that reversed it once it was written.
ALTER TABLE stripe_refunds ADD COLUMN failed_at TIMESTAMP;
ALTER TABLE stripe_refunds ADD COLUMN reversal_entry_id BIGINT REFERENCES ledger_entries (id);
