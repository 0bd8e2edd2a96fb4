-- Operations: the client address of each audited change (as resolved behind trusted proxies),
-- and rate-limit attempts kept where every process sees them. SQLite serves one process, which
-- counts in memory; the table exists on both backends so that one schema describes both.
ALTER TABLE audit_log ADD COLUMN address TEXT;

CREATE TABLE rate_limit_attempts (
    id INTEGER PRIMARY KEY NOT NULL,
    key TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_limit_attempts_by_key ON rate_limit_attempts (key, attempted_at);
CREATE INDEX rate_limit_attempts_by_time ON rate_limit_attempts (attempted_at);
