-- Question: which watched feeds, listing pages and sitemaps are failing?
--
-- Sources whose last read failed, or that have not been read successfully for more than
-- 7 days before the latest feed read.  A failing source means new reporting from that outlet
-- goes unseen: fix its URL or selector in the config.
WITH ref AS (
    SELECT coalesce(max(last_fetched_at), now()) AS latest FROM feed_health
)
SELECT
    f.outlet,
    f.kind,
    f.feed_url,
    f.consecutive_failures,
    f.last_status,
    f.last_error,
    f.last_ok_at,
    datediff('day', f.last_ok_at, ref.latest)  AS days_since_ok,
    f.items_stored
FROM feed_health f, ref
WHERE f.consecutive_failures > 0
   OR f.last_ok_at IS NULL
   OR f.last_ok_at < ref.latest - INTERVAL 7 DAY
ORDER BY f.consecutive_failures DESC, f.last_ok_at NULLS FIRST, f.feed_url;
