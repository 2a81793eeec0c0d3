-- Question: which citations are failing right now, since when, and how did the failure start?
--
-- Citations currently dying (failing, not yet confirmed dead) or dead, with the first failing
-- check of the current run of failures (its outcome, HTTP status and evidence), the number of
-- strikes so far and how many days the failure has lasted up to the latest check.
WITH failing AS (
    SELECT article_id, footnote, seq, url, state, strikes, first_failure_at, last_checked_at,
           last_outcome, outlet
    FROM link_health
    WHERE state IN ('dying', 'dead')
), first_failure AS (
    SELECT h.url, h.checked_at, h.outcome, h.http_status, h.evidence
    FROM check_history h
    JOIN (SELECT DISTINCT url, first_failure_at FROM failing) f
      ON f.url = h.url AND h.checked_at >= f.first_failure_at
    WHERE h.outcome NOT IN ('ok', 'redirected', 'local_outage')
    QUALIFY row_number() OVER (PARTITION BY h.url ORDER BY h.checked_at) = 1
)
SELECT
    f.article_id,
    f.footnote,
    f.seq,
    f.url,
    f.state,
    f.strikes,
    f.first_failure_at,
    ff.outcome                                                   AS first_outcome,
    ff.http_status                                               AS first_http_status,
    ff.evidence                                                  AS first_evidence,
    f.last_outcome,
    datediff('day', f.first_failure_at, f.last_checked_at)       AS days_failing,
    f.outlet
FROM failing f
LEFT JOIN first_failure ff ON ff.url = f.url
ORDER BY f.state = 'dying', f.first_failure_at, f.article_id, f.footnote, f.seq;
