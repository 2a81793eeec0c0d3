-- 0003: two more analysts' views (documented in warehouse/README.md).
-- Views only: the tables of 0001 are unchanged, so this migration is cheap on any warehouse.

-- One row per (article, claim, cited URL): the link state of every citation a claim rests on,
-- and whether the claim's figures and terms are still found on that page.  claim_support and
-- claim_citations are kzwatch-internal tables; this view is their stable face.
CREATE OR REPLACE VIEW claim_support_detail AS
SELECT
    x.article_id,
    x.claim_id,
    c.footnote,
    c.seq,
    c.url,
    coalesce(s.state, 'unknown')       AS state,
    cs.status                          AS support,
    cs.baseline_status                 AS baseline_support,
    cs.found,
    cs.missing,
    cs.checked_at                      AS support_checked_at,
    s.first_failure_at,
    s.last_checked_at,
    s.archive_url,
    c.outlet,
    c.title
FROM claim_citations x
JOIN citations c ON c.article_id = x.article_id AND c.footnote = x.footnote
LEFT JOIN url_state s ON s.url = c.url
LEFT JOIN claim_support cs
       ON cs.article_id = x.article_id AND cs.claim_id = x.claim_id AND cs.url = c.url
WHERE c.url IS NOT NULL;

-- Every alert kzwatch raised (state changes, lost support, new reporting, broken feeds, ...),
-- with its delivery and triage status: "what happened when" without reading the digests.
CREATE OR REPLACE VIEW alert_log AS
SELECT
    created_at,
    event_id,
    article_id,
    kind,
    severity,
    subject,
    footnote,
    claim_id,
    url,
    status,
    sent_at,
    acked_at,
    snoozed_until,
    resolved_at,
    details
FROM events;

-- rot_by_outlet, same columns, faster and timezone-independent.  0002 counted distinct URL
-- strings per (day, outlet, outcome) and cut days in the session's time zone; on 1,000,000
-- checks that took 0.4-1.2 s on a 2-core machine (bench/RESULTS.md).  Counting distinct small
-- integer ids instead of long URL strings gives the same rows in about half the time, and the
-- day is now the UTC day, so every reader (kzwatch query, a DuckDB CLI in Almaty or in Paris)
-- sees the same rows.  url_id only lives inside this query.
CREATE OR REPLACE VIEW rot_by_outlet AS
WITH outlet_of AS (
    SELECT url, outlet, row_number() OVER () AS url_id
    FROM (SELECT DISTINCT url, coalesce(outlet, '(unknown)') AS outlet
          FROM citations WHERE url IS NOT NULL)
)
SELECT
    CAST(timezone('UTC', k.checked_at) AS DATE) AS day,
    o.outlet,
    k.outcome,
    count(*)                                    AS checks,
    count(DISTINCT o.url_id)                    AS urls
FROM checks k
JOIN outlet_of o ON o.url = k.url
GROUP BY ALL;
