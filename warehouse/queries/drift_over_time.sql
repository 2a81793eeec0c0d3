-- Question: how has the content of cited pages drifted over time?
--
-- Per week and per cited URL that was compared with its baseline: the lowest similarity seen
-- (1 = unchanged, 0 = nothing in common) and the worst band (unchanged < edited < off_topic),
-- with the previous week's similarity, so a sudden drop stands out.  Only URLs whose content
-- moved at all (similarity below 0.98 at some point) are listed.
WITH moved AS (
    SELECT url FROM drift_history GROUP BY url HAVING min(drift) < 0.98
), weekly AS (
    SELECT date_trunc('week', timezone('UTC', d.checked_at)) AS week,   -- weeks start Monday, UTC
           d.url,
           min(d.drift)                            AS similarity,
           max(CASE d.drift_band WHEN 'off_topic' THEN 2 WHEN 'edited' THEN 1 ELSE 0 END) AS band_rank,
           count(*)                                AS checks
    FROM drift_history d
    SEMI JOIN moved m ON m.url = d.url
    GROUP BY ALL
)
SELECT
    CAST(week AS DATE)                             AS week,
    url,
    round(similarity, 3)                           AS similarity,
    round(lag(similarity) OVER (PARTITION BY url ORDER BY week), 3) AS previous_week,
    ['unchanged', 'edited', 'off_topic'][band_rank + 1] AS band,
    checks
FROM weekly
ORDER BY url, week;
