"""``kzwatch report``: the self-contained HTML report, from the warehouse.

The queries are here; the page is drawn by ``kzwatch.report`` (pure).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kzwatch.config import Config
from kzwatch.store import fetch_dicts, open_warehouse


def write_report(config: Config, out: Path, as_of: datetime) -> Path:
    from kzwatch.report import ReportData, render_report
    from kzwatch.textdiff import readable_diff

    limits = config.report
    with open_warehouse(config.warehouse_path, wait_s=config.warehouse.lock_wait_s) as con:
        # state of each cited URL at the end of each day it was checked, counted per outlet
        series = con.execute("""
            WITH last_per_day AS (
                SELECT CAST(checked_at AS DATE) AS day, url, arg_max(state_after, checked_at) AS state
                FROM checks WHERE state_after IS NOT NULL GROUP BY ALL)
            SELECT l.day, coalesce(o.outlet, '(unknown)'), l.state, count(*)
            FROM last_per_day l
            LEFT JOIN (SELECT url, any_value(outlet) AS outlet FROM citations GROUP BY url) o USING (url)
            GROUP BY ALL ORDER BY 1""").fetchall()
        exposure = fetch_dicts(con, "SELECT * FROM claim_exposure ORDER BY article_id, length(claim_id), claim_id")
        drifts = []
        for r in fetch_dicts(con, """
                SELECT c.footnote, u.url, u.drift, b.text AS baseline, s.text AS current
                FROM url_state u JOIN (SELECT url, min(footnote) AS footnote FROM citations GROUP BY url) c USING (url)
                LEFT JOIN snapshots b ON b.snapshot_id = u.baseline_snapshot_id
                LEFT JOIN snapshots s ON s.snapshot_id = u.last_snapshot_id
                WHERE u.drift_band IN ('edited', 'off_topic') ORDER BY u.drift LIMIT ?""", [limits.drift_rows]):
            drifts.append((r["footnote"], r["url"], r["drift"],
                           readable_diff(r["baseline"] or "", r["current"] or "", max_chars=limits.diff_chars)))
        reporting = [(r["claim_id"], r["title"] or "", r["url"], r["stance"], r["score"] or 0.0, r["sentence"] or "")
                     for r in fetch_dicts(con, "SELECT * FROM related_reporting ORDER BY claim_id, score DESC LIMIT ?",
                                         [limits.reporting_rows])]
    data = ReportData(generated_at=as_of, health_series=[tuple(s) for s in series],
                      claim_exposure=exposure, drifts=drifts, reporting=reporting)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data), encoding="utf-8")
    return out
