-- The transparency page: expense notes the treasurer chose to publish, and an index that gives
-- the page its sums per month from the index alone.

-- One public note per expense. Ledger entries are never updated: publishing a note is a row
-- of its own, keyed by the entry it describes; replacing it replaces only this row.
CREATE TABLE expense_notes (
    entry_id BIGINT PRIMARY KEY NOT NULL REFERENCES ledger_entries (id),
    note TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL
);

-- Sums per month, currency, kind and category over the last 24 months: a range scan of this
-- index (it covers every column the query reads).
CREATE INDEX ledger_entries_by_month
    ON ledger_entries (occurred_at, currency, kind, category, amount);
