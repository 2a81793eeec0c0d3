-- 0002: the analysts' views (SPEC §5) and a few more beside them.
-- The SPEC columns come first, in SPEC order; extra columns follow.  Views may be replaced by
-- later migrations (CREATE OR REPLACE VIEW) but their SPEC columns never change.

CREATE OR REPLACE VIEW link_health AS
SELECT
    c.article_id,
    c.footnote,
    c.url,
    coalesce(s.state, 'unknown')       AS state,
    s.last_outcome,
    s.http_status,
    s.final_url,
    coalesce(s.strikes, 0)             AS strikes,
    s.first_failure_at,
    s.last_checked_at,
    s.drift,
    s.archive_url,
    c.seq,
    c.title,
    c.outlet,
    c.accessed,
    s.moved_to,
    s.drift_band,
    s.verification,
    s.reason
FROM citations c
LEFT JOIN url_state s ON s.url = c.url
WHERE c.url IS NOT NULL;

CREATE OR REPLACE VIEW check_history AS
SELECT
    checked_at,
    url,
    outcome,
    http_status,
    final_url,
    elapsed_ms,
    bytes,
    snapshot_id,
    hops,
    error_detail,
    evidence,
    moved_to,
    drift,
    state_after,
    cycle_id
FROM checks;

CREATE OR REPLACE VIEW related_reporting AS
SELECT
    m.article_id,
    m.claim_id,
    i.url,
    i.outlet,
    i.title,
    i.published_at,
    coalesce(m.lang, i.lang)           AS lang,
    m.score,
    m.stance,
    m.matched,
    m.first_seen_at,
    m.reason,
    m.sentence,
    i.item_id
FROM item_matches m
JOIN items i USING (item_id);

CREATE OR REPLACE VIEW claim_exposure AS
WITH linked AS (
    SELECT x.article_id, x.claim_id, c.url, coalesce(s.state, 'unknown') AS state
    FROM claim_citations x
    JOIN citations c ON c.article_id = x.article_id AND c.footnote = x.footnote
    LEFT JOIN url_state s ON s.url = c.url
    WHERE c.url IS NOT NULL
), per_claim AS (
    SELECT article_id, claim_id,
           count(*)                                            AS citations,
           count(*) FILTER (WHERE state IN ('alive', 'moved')) AS alive,
           count(*) FILTER (WHERE state = 'dead')              AS dead,
           count(*) FILTER (WHERE state = 'drifted')           AS drifted
    FROM linked GROUP BY article_id, claim_id
), support AS (
    SELECT article_id, claim_id, count(*) FILTER (WHERE status = 'missing') AS support_missing
    FROM claim_support GROUP BY article_id, claim_id
), reports AS (
    SELECT article_id, claim_id, count(*) AS new_reports
    FROM item_matches GROUP BY article_id, claim_id
)
SELECT
    cl.article_id,
    cl.claim_id,
    coalesce(p.citations, 0)           AS citations,
    coalesce(p.alive, 0)               AS alive,
    coalesce(p.dead, 0)                AS dead,
    coalesce(p.drifted, 0)             AS drifted,
    coalesce(su.support_missing, 0)    AS support_missing,
    coalesce(r.new_reports, 0)         AS new_reports,
    cl.text                            AS claim_text
FROM claims cl
LEFT JOIN per_claim p ON p.article_id = cl.article_id AND p.claim_id = cl.claim_id
LEFT JOIN support su  ON su.article_id = cl.article_id AND su.claim_id = cl.claim_id
LEFT JOIN reports r   ON r.article_id = cl.article_id AND r.claim_id = cl.claim_id;

-- Beyond the SPEC: questions analysts ask often.

-- Link health over time by outlet: one row per (day, outlet, outcome) with the number of checks.
CREATE OR REPLACE VIEW rot_by_outlet AS
SELECT
    CAST(date_trunc('day', k.checked_at) AS DATE) AS day,
    coalesce(c.outlet, '(unknown)')    AS outlet,
    k.outcome,
    count(*)                           AS checks,
    count(DISTINCT k.url)              AS urls
FROM checks k
JOIN (SELECT DISTINCT url, outlet FROM citations WHERE url IS NOT NULL) c ON c.url = k.url
GROUP BY ALL;

-- Current state by outlet, language of the page and age of the citation (years since accessed).
CREATE OR REPLACE VIEW rot_by_age AS
SELECT
    coalesce(c.outlet, '(unknown)')    AS outlet,
    sn.lang                            AS lang,
    CAST(floor(datediff('day', c.accessed, coalesce(s.last_checked_at, now())) / 365.25) AS INTEGER) AS age_years,
    coalesce(s.state, 'unknown')       AS state,
    count(*)                           AS citations
FROM citations c
LEFT JOIN url_state s ON s.url = c.url
LEFT JOIN snapshots sn ON sn.snapshot_id = s.last_snapshot_id
WHERE c.url IS NOT NULL
GROUP BY ALL;

-- Drift of every cited URL at every check that compared it with the baseline.
CREATE OR REPLACE VIEW drift_history AS
SELECT k.checked_at, k.url, k.drift, k.drift_band, k.snapshot_id, s.baseline_snapshot_id
FROM checks k
LEFT JOIN url_state s ON s.url = k.url
WHERE k.drift IS NOT NULL;

-- Health of every watched feed, listing page and sitemap.
CREATE OR REPLACE VIEW feed_health AS
SELECT
    f.feed_url, f.kind, f.outlet, f.last_fetched_at, f.last_ok_at, f.last_status, f.last_error,
    f.consecutive_failures, f.items_total,
    (SELECT count(*) FROM items i WHERE i.source_url = f.feed_url) AS items_stored
FROM feed_state f;
