-- Indexes that cover what the wall and the ledger pages read, so that their cost follows donors,
-- pledges and the last year's gifts, not the whole history.

-- One-time gifts in the 365-day window, summed per donor from the index alone (the columns of
-- the WHERE are in the index too, so that SQLite counts it as covering).
CREATE INDEX ledger_entries_one_time_gifts
    ON ledger_entries (occurred_at, donor_id, currency, amount, kind, pledge_id)
    WHERE kind = 'donation' AND pledge_id IS NULL AND donor_id IS NOT NULL;
-- What reverses an entry, summed from the index alone.
CREATE INDEX ledger_entries_reversals ON ledger_entries (reverses, kind, amount)
    WHERE reverses IS NOT NULL;
-- Reversals by date: a refund is never dated before its donation and a correction carries its
-- entry's date, so the reversals of the window's gifts all lie inside the window.
CREATE INDEX ledger_entries_recent_reversals
    ON ledger_entries (occurred_at, reverses, donor_id, currency, amount)
    WHERE reverses IS NOT NULL;
DROP INDEX ledger_entries_reverses;
-- Running costs of the last year (expenses and their corrections carry a category).
CREATE INDEX ledger_entries_running_costs ON ledger_entries (currency, occurred_at, amount)
    WHERE category IS NOT NULL;
-- Ledger pages by key (newest first), overall, by donor and by kind.
CREATE INDEX ledger_entries_donor_id ON ledger_entries (donor_id, id);
DROP INDEX ledger_entries_donor;
CREATE INDEX ledger_entries_kind_id ON ledger_entries (kind, id);
DROP INDEX ledger_entries_kind_occurred;
CREATE INDEX pledges_status ON pledges (status, donor_id);
