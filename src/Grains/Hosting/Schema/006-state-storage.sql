-- Grain states stored out of line without compression (STORAGE EXTERNAL). Orleans writes a
-- grain's state whole, and many are above the ~2 KB from which PostgreSQL tries to compress a
-- value (TOAST): a user with a history ~16 KB, a video's co-engagement neighbours ~13 KB, a catalog
-- partition ~150 KB. Under durable ingest pglz_compress was the largest single function on the
-- machine, 7 % of all CPU, in a profile taken once the states had grown (docs/benchmarks.md,
-- round 23). pglz keeps its result only if it saved a quarter: it never did for users' states or
-- catalog partitions, so that work was thrown away. Neighbour lists did shrink (12.7 → 5.7 KB)
-- and now take that much more disk.
--
-- Only new values are stored the new way; values written before stay readable as they are.
-- Skipped when the column is external already, so later start-ups take no table lock. Idempotent.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_attribute
                WHERE attrelid = 'orleansstorage'::regclass AND attname = 'payloadbinary' AND attstorage <> 'e') THEN
        ALTER TABLE orleansstorage ALTER COLUMN payloadbinary SET STORAGE EXTERNAL;
    END IF;
END
$$;
