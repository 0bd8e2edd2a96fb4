-- INSERT OR REPLACE and REPLACE delete the conflicting row without firing delete triggers
-- (unless recursive_triggers is on), which would let them rewrite a ledger row. Refuse any insert
-- that would meet an existing row's id or external reference before SQLite can replace it.
CREATE TRIGGER ledger_entries_refuse_replace BEFORE INSERT ON ledger_entries
WHEN EXISTS (SELECT 1 FROM ledger_entries WHERE id = NEW.id)
  OR (NEW.external_ref IS NOT NULL AND EXISTS (
        SELECT 1 FROM ledger_entries
        WHERE source = NEW.source AND external_ref = NEW.external_ref))
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: a row with this id or external reference is already recorded');
END;
