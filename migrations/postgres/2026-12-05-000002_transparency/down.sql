DROP INDEX ledger_entries_by_month;
DROP TABLE expense_notes;
