-- Question: which citations have no archived copy?
--
-- Cited URLs with no known Wayback/Memento capture (archive_url IS NULL).  The ones at risk —
-- dying, dead, drifted, or soft-404 at the last check — come first: their evidence exists only
-- in kzwatch's own snapshots, and they should be archived or replaced now.  Drop the at_risk
-- filter to list every citation without an archived copy.
SELECT
    article_id,
    footnote,
    seq,
    url,
    state,
    last_outcome,
    first_failure_at,
    last_checked_at,
    outlet,
    title
FROM link_health
WHERE archive_url IS NULL
  AND (state IN ('dying', 'dead', 'drifted') OR last_outcome = 'soft_404')
ORDER BY CASE state WHEN 'dead' THEN 0 WHEN 'drifted' THEN 1 WHEN 'dying' THEN 2 ELSE 3 END,
         article_id, footnote, seq;
