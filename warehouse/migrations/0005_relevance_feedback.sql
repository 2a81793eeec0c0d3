-- Maintainers' corrections to discovery matches (`kzwatch feedback ITEM_URL --claim C5
-- --label wrong|right [--stance updates]`).  One row per correction; the latest row for an
-- (article, claim, url) is the one that counts.  The item's title, text and language are kept
-- as scored, so `kzwatch feedback --export` can write labelled data without re-fetching.
CREATE TABLE relevance_feedback (
    feedback_id  VARCHAR PRIMARY KEY,
    article_id   VARCHAR NOT NULL,
    claim_id     VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    item_id      VARCHAR,
    label        VARCHAR NOT NULL,      -- right | wrong
    stance       VARCHAR,               -- the right stance, when the maintainer gave one
    note         VARCHAR,
    title        VARCHAR,
    text         VARCHAR,
    lang         VARCHAR,
    outlet       VARCHAR,
    recorded_at  TIMESTAMPTZ NOT NULL
);

-- The latest correction per (article, claim, url).
CREATE OR REPLACE VIEW relevance_corrections AS
SELECT * EXCLUDE (rn) FROM (
    SELECT f.*, row_number() OVER (PARTITION BY article_id, claim_id, url
                                   ORDER BY recorded_at DESC, feedback_id DESC) AS rn
    FROM relevance_feedback f
) WHERE rn = 1;

-- new_reporting events a maintainer marked wrong: digests leave them out.
CREATE OR REPLACE VIEW corrected_reporting_events AS
SELECT e.event_id, e.article_id, e.claim_id, e.url, c.recorded_at
FROM events e
JOIN relevance_corrections c
  ON e.kind = 'new_reporting' AND c.label = 'wrong'
 AND coalesce(e.article_id, '') = c.article_id AND e.claim_id = c.claim_id AND e.url = c.url;
