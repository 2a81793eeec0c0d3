-- Question: which outlets rot fastest?
--
-- Per outlet: how many of its cited URLs are not alive now (dying, dead, drifted, blocked;
-- "moved" counts as alive: the work lives on elsewhere), and which share of its checks failed,
-- over the whole history and over the 30 days up to the latest check.  Checks made while our
-- own network was down (local_outage) are left out: they say nothing about the outlet.
-- (rot_by_outlet has the same failures per day, for a chart over time.)
-- (The two history CTEs are split on purpose: one FILTER comparing every check with a
-- computed cutoff is ~2x slower on a million checks than filtering rows first.)
WITH outlet_of AS (
    SELECT DISTINCT url, coalesce(outlet, '(unknown)') AS outlet FROM link_health
), now_state AS (
    SELECT outlet,
           count(DISTINCT url)                                                          AS urls,
           count(DISTINCT url) FILTER (WHERE state IN ('dying', 'dead', 'drifted', 'blocked')) AS not_alive
    FROM (SELECT DISTINCT url, coalesce(outlet, '(unknown)') AS outlet, state FROM link_health)
    GROUP BY outlet
), history AS (
    SELECT o.outlet,
           count(*)                                                         AS checks,
           count(*) FILTER (WHERE h.outcome NOT IN ('ok', 'redirected'))    AS failed
    FROM check_history h
    JOIN outlet_of o USING (url)
    WHERE h.outcome <> 'local_outage'
    GROUP BY o.outlet
), last_30_days AS (
    SELECT o.outlet,
           count(*)                                                         AS checks_30d,
           count(*) FILTER (WHERE h.outcome NOT IN ('ok', 'redirected'))    AS failed_30d
    FROM check_history h
    JOIN outlet_of o USING (url)
    WHERE h.outcome <> 'local_outage'
      AND h.checked_at > (SELECT coalesce(max(checked_at), now()) FROM check_history) - INTERVAL 30 DAY
    GROUP BY o.outlet
)
SELECT
    s.outlet,
    s.urls,
    s.not_alive,
    round(s.not_alive / s.urls, 3)                          AS share_not_alive,
    coalesce(h.checks, 0)                                   AS checks,
    round(h.failed / nullif(h.checks, 0), 3)                AS share_checks_failed,
    round(r.failed_30d / nullif(r.checks_30d, 0), 3)        AS share_checks_failed_30d
FROM now_state s
LEFT JOIN history h USING (outlet)
LEFT JOIN last_30_days r USING (outlet)
ORDER BY share_not_alive DESC, share_checks_failed DESC NULLS LAST, s.outlet;
