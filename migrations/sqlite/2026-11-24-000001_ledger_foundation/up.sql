-- Coffer's ledger foundation (SQLite). Keep column names, order and nullability identical to
-- migrations/postgres: a test compares the two.

CREATE TABLE tiers (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    monthly_minimum BIGINT NOT NULL CHECK (monthly_minimum >= 0),
    currency TEXT NOT NULL,
    perks TEXT NOT NULL DEFAULT '',
    link_rel TEXT NOT NULL DEFAULT 'sponsored noopener',
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);

CREATE TABLE donors (
    id INTEGER PRIMARY KEY NOT NULL,
    public_name TEXT NOT NULL,
    legal_name TEXT,
    email TEXT,
    website TEXT,
    fediverse_handle TEXT,
    logo_path TEXT,
    consent_name BOOLEAN NOT NULL DEFAULT FALSE,
    consent_logo BOOLEAN NOT NULL DEFAULT FALSE,
    consent_link BOOLEAN NOT NULL DEFAULT FALSE,
    consent_handle BOOLEAN NOT NULL DEFAULT FALSE,
    consent_amount BOOLEAN NOT NULL DEFAULT FALSE,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    locale TEXT,
    pinned_tier_id BIGINT REFERENCES tiers (id),
    created_at TIMESTAMP NOT NULL,
    erased_at TIMESTAMP
);

CREATE TABLE pledges (
    id INTEGER PRIMARY KEY NOT NULL,
    donor_id BIGINT NOT NULL REFERENCES donors (id),
    tier_id BIGINT REFERENCES tiers (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    interval TEXT NOT NULL CHECK (interval IN ('month', 'year')),
    status TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'paused', 'cancelled')),
    source TEXT NOT NULL,
    external_ref TEXT,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    UNIQUE (source, external_ref)
);
CREATE INDEX pledges_donor ON pledges (donor_id);

CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('donation', 'refund', 'fee', 'expense', 'correction')),
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    donor_id BIGINT REFERENCES donors (id),
    pledge_id BIGINT REFERENCES pledges (id),
    occurred_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL,
    external_ref TEXT,
    reverses BIGINT REFERENCES ledger_entries (id),
    category TEXT,
    memo TEXT NOT NULL DEFAULT '',
    UNIQUE (source, external_ref)
);
CREATE INDEX ledger_entries_donor ON ledger_entries (donor_id);
CREATE INDEX ledger_entries_reverses ON ledger_entries (reverses);
CREATE INDEX ledger_entries_kind_occurred ON ledger_entries (kind, occurred_at);

-- The ledger is append-only: mistakes and refunds are new, reversing rows.
CREATE TRIGGER ledger_entries_refuse_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: record a reversing entry instead');
END;
CREATE TRIGGER ledger_entries_refuse_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: record a reversing entry instead');
END;

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE idempotency_keys (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, idempotency_key)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
