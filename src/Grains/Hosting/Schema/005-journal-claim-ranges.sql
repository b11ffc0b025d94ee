-- Claims as ranges of the journal, ordered by (txid, id). A claim used to UPDATE every record it
-- took (batch = n): in PostgreSQL a second tuple and a second set of index entries per record, as
-- much work as the INSERT that acknowledged it. A claim now writes one orleanstok_journal_batches
-- row naming the range after the previous claim's end, and a record is written once.
--
-- Journal ids are taken before commit and commits land out of order, so "every id up to n" is not
-- a set that stays put. txid is the appending transaction's id (xid8, never wraps), and every
-- transaction below the claim's snapshot xmin has ended: records with a smaller txid are all
-- visible and no more can appear. A claim takes those after the last range and waits for nothing;
-- records of appends still in flight fall to the next claim.
--
-- A range's start is unique per partition: two claimers that read the same last range (an applier
-- activation outliving its deactivation, racing its successor) cannot both register one.
--
-- Records claimed before this script keep their batch column and are read by it; batches of that
-- time have no range. Records waiting at the upgrade get this script's own transaction id.
-- Idempotent, and takes no table lock once applied.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = 'orleanstok_journal' AND column_name = 'txid') THEN
        ALTER TABLE orleanstok_journal ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
        ALTER TABLE orleanstok_journal_batches ADD COLUMN from_txid xid8 NULL, ADD COLUMN from_id bigint NULL,
                                                ADD COLUMN to_txid xid8 NULL, ADD COLUMN to_id bigint NULL;
    END IF;
END
$$;

-- What a partition still has to claim, in claim order (replaces the index by id).
CREATE INDEX IF NOT EXISTS orleanstok_journal_ranges ON orleanstok_journal (service_id, partition, txid, id) WHERE batch IS NULL;
DROP INDEX IF EXISTS orleanstok_journal_waiting;

-- One claim per range start; the newest start is the partition's last range.
CREATE UNIQUE INDEX IF NOT EXISTS orleanstok_journal_batches_range ON orleanstok_journal_batches (service_id, partition, from_txid, from_id)
    WHERE from_txid IS NOT NULL;
