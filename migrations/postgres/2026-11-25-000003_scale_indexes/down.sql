DROP INDEX pledges_status;
CREATE INDEX ledger_entries_kind_occurred ON ledger_entries (kind, occurred_at);
DROP INDEX ledger_entries_kind_id;
CREATE INDEX ledger_entries_donor ON ledger_entries (donor_id);
DROP INDEX ledger_entries_donor_id;
DROP INDEX ledger_entries_running_costs;
CREATE INDEX ledger_entries_reverses ON ledger_entries (reverses);
DROP INDEX ledger_entries_reversals;
DROP INDEX ledger_entries_one_time_gifts;
