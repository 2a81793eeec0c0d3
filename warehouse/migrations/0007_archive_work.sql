-- The archive phase's progress, so a phase stopped by its time budget, a 429 or a kill resumes
-- where it stopped (kzwatch.cycles.archive).  One row per cited URL the phase has worked on:
--   pending        a baseline is wanted, no capture known yet
--   looked_up      the capture closest to the accessed date is known; its id_ memento not yet fetched
--   baseline_done  the memento is the citation's baseline
--   none           nothing usable archived (or given up after max_attempts; last_error says why)
-- attempts/next_try_at/last_error count lookups that failed (archive 5xx, transport errors).
CREATE TABLE IF NOT EXISTS archive_work (
    url          VARCHAR PRIMARY KEY,
    status       VARCHAR NOT NULL,
    capture_url  VARCHAR,
    captured_at  TIMESTAMPTZ,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_try_at  TIMESTAMPTZ,
    last_error   VARCHAR,
    updated_at   TIMESTAMPTZ
);

-- Back-off per archive endpoint (availability | cdx | memento) after an HTTP 429, in wall-clock
-- time (the archive's firewall does not know our --as-of): no request to that endpoint before
-- `until_at`; `strikes` consecutive 429s double the wait.
CREATE TABLE IF NOT EXISTS archive_backoff (
    endpoint     VARCHAR PRIMARY KEY,
    until_at     TIMESTAMPTZ NOT NULL,
    strikes      INTEGER NOT NULL,
    last_error   VARCHAR,
    updated_at   TIMESTAMPTZ
);
