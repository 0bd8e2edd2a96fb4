-- Receipts and the outbox (SQLite). Keep column names, order and nullability identical to
-- migrations/postgres: a test compares the two.

-- One row per year; `UPDATE … SET last_sequence = last_sequence + 1` inside the recording
-- transaction hands out numbers without gaps: a rollback takes the increment back with it.
CREATE TABLE receipt_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_sequence BIGINT NOT NULL
);

-- A receipt (or a credit note for a refund) is never re-numbered or re-written.
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY NOT NULL,
    number TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    sequence BIGINT NOT NULL,
    entry_id BIGINT NOT NULL UNIQUE REFERENCES ledger_entries (id),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'credit_note')),
    corrects_receipt TEXT REFERENCES receipts (number),
    donor_id BIGINT REFERENCES donors (id),
    locale TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (year, sequence)
);

CREATE TRIGGER receipts_refuse_update BEFORE UPDATE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'receipts are immutable');
END;

CREATE TRIGGER receipts_refuse_delete BEFORE DELETE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'receipts are immutable');
END;

-- Mail written in the same transaction as the fact that causes it. A receipt's message is
-- rendered from its snapshot when first sent; subject, bodies and Message-ID then record what
-- went out.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    receipt_number TEXT REFERENCES receipts (number),
    dedupe_key TEXT UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT,
    body_text TEXT,
    body_html TEXT,
    message_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    lease_owner TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
