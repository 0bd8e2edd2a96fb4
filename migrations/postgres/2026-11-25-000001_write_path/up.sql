-- PostgreSQL has no REPLACE: its BEFORE UPDATE OR DELETE and TRUNCATE triggers already cover
-- every way to rewrite a ledger row (INSERT … ON CONFLICT DO UPDATE fires the UPDATE trigger).
-- This version exists so that both backends keep the same migration names.
SELECT 1;
