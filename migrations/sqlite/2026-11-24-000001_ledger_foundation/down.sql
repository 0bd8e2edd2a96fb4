DROP TABLE audit_log;
DROP TABLE idempotency_keys;
DROP TABLE api_tokens;
DROP TABLE ledger_entries;
DROP TABLE pledges;
DROP TABLE donors;
DROP TABLE tiers;
