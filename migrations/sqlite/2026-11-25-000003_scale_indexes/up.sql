-- Indexes that cover what the wall and the ledger pages read, so that their cost follows donors,
-- pledges and the last year's gifts, not the whole history.

-- One-time gifts in the 365-day window, summed per donor without touching the table.
CREATE INDEX ledger_entries_one_time_gifts ON ledger_entries (occurred_at, donor_id, currency, amount, id)
    WHERE kind = 'donation' AND pledge_id IS NULL AND donor_id IS NOT NULL;
-- What reverses an entry, summed from the index alone.
CREATE INDEX ledger_entries_reversals ON ledger_entries (reverses, kind, amount)
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
