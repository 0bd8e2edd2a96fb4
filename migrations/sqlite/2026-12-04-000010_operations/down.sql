DROP TABLE rate_limit_attempts;
ALTER TABLE audit_log DROP COLUMN address;
