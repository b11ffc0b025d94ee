-- Journal-derived totals of videos and creators, committed by the journal appliers with one
-- set-based statement per batch. One row per consumer and partition: a video's records all go to
-- one partition, a creator's videos may span several, and each row is written by one applier only.
-- last_batch is the newest batch of that partition the row includes; a replayed batch is skipped
-- row by row, which is what makes applying exactly once in effect. Idempotent.
CREATE TABLE IF NOT EXISTS orleanstok_applied_counters
(
    service_id     text     NOT NULL,
    kind           text     NOT NULL,      -- 'video' or 'creator'
    id             text     NOT NULL,
    partition      smallint NOT NULL,
    last_batch     bigint   NOT NULL,
    impressions    bigint   NOT NULL,
    views          bigint   NOT NULL,
    watch_time_ms  bigint   NOT NULL,
    completions    bigint   NOT NULL,
    likes          bigint   NOT NULL,
    shares         bigint   NOT NULL,
    comments       bigint   NOT NULL,
    favorites      bigint   NOT NULL,
    replays        bigint   NOT NULL,
    skips          bigint   NOT NULL,
    not_interested bigint   NOT NULL,
    CONSTRAINT orleanstok_applied_counters_pk PRIMARY KEY (service_id, kind, id, partition)
);
