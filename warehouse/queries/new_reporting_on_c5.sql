-- Question: what new reporting touches claim C5 (no "against all" line on the ballot)?
--
-- Every discovered item kzwatch matched to C5, newest first, with its stance (confirms |
-- updates | contradicts | mentions), score and the terms that matched.  Change 'C5' for any
-- other claim id; add "AND first_seen_at >= DATE '2026-01-01'" for "new since".
SELECT
    article_id,
    claim_id,
    stance,
    round(score, 3)                    AS score,
    outlet,
    title,
    url,
    lang,
    published_at,
    first_seen_at,
    matched
FROM related_reporting
WHERE claim_id = 'C5'
ORDER BY first_seen_at DESC, score DESC, url;
