DROP TABLE outbox;
DROP TABLE receipts;
DROP TABLE receipt_counters;
