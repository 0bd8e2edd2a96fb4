DROP TABLE outbox;
DROP TABLE receipts;
DROP FUNCTION receipts_refuse_change();
DROP TABLE receipt_counters;
