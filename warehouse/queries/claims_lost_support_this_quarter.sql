-- Question: which claims lost support this quarter?
--
-- A claim loses support when kzwatch raised, during the current quarter, either
--   * support_missing: the claim's figures/terms vanished from a cited page that had them, or
--   * citation_dying / citation_dead / citation_drifted: a citation the claim rests on failed.
-- "This quarter" is the calendar quarter of the latest check in the copy (now() if none), so the
-- query gives the same answer on an old copy.  current_state shows whether it has since recovered.
WITH ref AS (
    SELECT date_trunc('quarter', coalesce(max(checked_at), now())) AS quarter_start
    FROM check_history
), losses AS (
    -- lost figures: the alert names the claim itself
    SELECT a.article_id, a.claim_id, a.url, a.kind, a.created_at
    FROM alert_log a, ref
    WHERE a.kind = 'support_missing' AND a.created_at >= ref.quarter_start
    UNION ALL
    -- failed citations: every claim resting on the citation's footnote is affected
    SELECT d.article_id, d.claim_id, a.url, a.kind, a.created_at
    FROM alert_log a
    JOIN claim_support_detail d
      ON d.article_id = a.article_id AND d.footnote = a.footnote AND d.url = a.url, ref
    WHERE a.kind IN ('citation_dying', 'citation_dead', 'citation_drifted')
      AND a.created_at >= ref.quarter_start
)
SELECT
    l.article_id,
    l.claim_id,
    l.url,
    string_agg(DISTINCT l.kind, ', ' ORDER BY l.kind)   AS what_happened,
    min(l.created_at)                                    AS first_lost_at,
    any_value(d.state)                                   AS current_state,
    any_value(d.support)                                 AS current_support,
    any_value(d.archive_url)                             AS archive_url
FROM losses l
LEFT JOIN claim_support_detail d
       ON d.article_id = l.article_id AND d.claim_id = l.claim_id AND d.url = l.url
GROUP BY l.article_id, l.claim_id, l.url
ORDER BY l.article_id, l.claim_id, first_lost_at;
