-- Question: which claims stand on the weakest evidence right now?
--
-- Per claim: its citations, how many are still alive (or moved), dead, drifted, how many cited
-- pages no longer carry its figures, and how much new reporting bears on it.  Claims with the
-- smallest share of live citations come first; a claim with new reporting that contradicts or
-- updates it is worth re-reading even when its links are fine.
SELECT
    e.article_id,
    e.claim_id,
    e.citations,
    e.alive,
    e.dead,
    e.drifted,
    e.support_missing,
    round(e.alive / nullif(e.citations, 0), 3)                   AS share_alive,
    e.new_reports,
    (SELECT count(*) FROM related_reporting r
      WHERE r.article_id = e.article_id AND r.claim_id = e.claim_id
        AND r.stance IN ('contradicts', 'updates'))               AS reports_updating_or_contradicting
FROM claim_exposure e
ORDER BY share_alive NULLS FIRST, e.dead + e.drifted + e.support_missing DESC, e.article_id, e.claim_id;
