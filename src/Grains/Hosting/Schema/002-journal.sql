-- The interaction journal: every acknowledged interaction, appended before the API answers 202
-- and applied to videos and creators by one applier grain per partition. Idempotent.
CREATE TABLE IF NOT EXISTS orleanstok_journal
(
    id         bigserial   PRIMARY KEY,
    service_id text        NOT NULL,      -- Orleans ServiceId: clusters sharing a database keep apart
    partition  smallint    NOT NULL,
    batch      bigint      NULL,          -- set by claims before 005, which claim ranges
    user_id    text        NOT NULL,
    event_id   text        NOT NULL,
    payload    bytea       NOT NULL,      -- the JournalRecord, in Orleans' binary serialization
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleanstok_journal_event UNIQUE (service_id, user_id, event_id)
);

-- Records claimed one by one (before 005's ranges), for recovery after a crash and for trimming.
CREATE INDEX IF NOT EXISTS orleanstok_journal_claimed ON orleanstok_journal (service_id, partition, batch) WHERE batch IS NOT NULL;

-- One row per claimed batch number: a second claim of the same number (an applier activation that
-- outlived its deactivation, racing its successor) fails on the key instead of giving two sets of
-- records one number, which consumers would take for a replay and skip.
CREATE TABLE IF NOT EXISTS orleanstok_journal_batches
(
    service_id text        NOT NULL,
    partition  smallint    NOT NULL,
    batch      bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleanstok_journal_batches_pk PRIMARY KEY (service_id, partition, batch)
);
