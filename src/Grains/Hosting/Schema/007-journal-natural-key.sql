-- The journal's key is the interaction's own: (service_id, user_id, event_id), the unique
-- constraint every append already checks (ON CONFLICT). The primary key on id, a second B-tree
-- that every appended record entered, served no query: claims and replays read ranges by
-- (txid, id) through orleanstok_journal_ranges, a user's replay through the natural key, trims by
-- partition. Without it an append writes one index entry fewer; journal-shaped INSERTs of ~1,000
-- rows took 6 % more rows a second and 7 % less WAL a row (docs/benchmarks.md, round 24).
-- id stays, filled from its sequence as before: it still orders records and marks replays.
--
-- Skipped once dropped, so later start-ups take no table lock. Idempotent.
DO $$
DECLARE
    key name;
BEGIN
    SELECT conname INTO key FROM pg_constraint WHERE conrelid = 'orleanstok_journal'::regclass AND contype = 'p';
    IF key IS NOT NULL THEN
        EXECUTE format('ALTER TABLE orleanstok_journal DROP CONSTRAINT %I', key);
    END IF;
END
$$;
