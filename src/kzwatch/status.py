"""``kzwatch status``: a human summary of the warehouse — per article, per claim, per citation.

Like every command, it first brings the warehouse up to date with the configured corpus, so on
a new warehouse it lists every citation as ``unknown`` and every claim with its exposure.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from kzwatch.config import Config
from kzwatch.corpus import load_articles, sync_corpus
from kzwatch.store import fetch_dicts, open_warehouse, settings_of


def render_status(config: Config, *, citation: int | None = None, as_of: datetime | None = None,
                  article: str | None = None) -> str:
    """Per article (an archive lists each of its articles in turn), or only ``article``."""
    articles = load_articles(config)
    if article is not None and article not in {a.id for a in articles}:
        raise ValueError(f"no article {article!r} in {config.source} (have: {', '.join(a.id for a in articles)})")
    with open_warehouse(config, wait_s=config.warehouse.lock_wait_s) as con:
        sync_corpus(con, articles, as_of or datetime.now().astimezone())
        if citation is not None:
            return _citation_detail(con, citation)
        out = [f"kzwatch status — warehouse {settings_of(config).describe()} — {len(articles)} article(s)"]
        for item in articles:
            if article is None or item.id == article:
                out += _article_summary(con, item)
        return "\n".join(out)


def _article_summary(con, article) -> list[str]:
    rows = fetch_dicts(con, "SELECT * FROM link_health WHERE article_id = ? ORDER BY footnote, seq", [article.id])
    cites = fetch_dicts(con, "SELECT footnote, url FROM citations WHERE article_id = ?", [article.id])
    footnotes = {c["footnote"] for c in cites}
    urls = {c["url"] for c in cites if c["url"]}
    outlets = Counter((r["outlet"] or "(unknown)") for r in {r["url"]: r for r in rows}.values())
    states = Counter(r["state"] for r in rows)
    lines = ["", f"== {article.id}: {article.title or ''}".rstrip(),
             f"footnotes with URLs {len(footnotes)} · citations {len(cites)} · distinct URLs {len(urls)} · claims {len(article.claims)}",
             "states: " + (", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "none"),
             "URLs per outlet: " + ", ".join(f"{k} {v}" for k, v in outlets.most_common())]
    lines += ["", "claims (citations / alive / dead / drifted / support missing / new reports):"]
    for c in fetch_dicts(con, "SELECT * FROM claim_exposure WHERE article_id = ? ORDER BY length(claim_id), claim_id", [article.id]):
        lines.append(f"  {c['claim_id']:>4}  {c['citations']:>2} / {c['alive']:>2} / {c['dead']:>2} / "
                     f"{c['drifted']:>2} / {c['support_missing']:>2} / {c['new_reports']:>3}  {_clip(c['claim_text'], 60)}")
    lines += ["", "citations (fn.seq  state  last outcome  verification  url):"]
    for r in rows:
        ver = f"{r['verification']:.2f}" if r["verification"] is not None else "  - "
        lines.append(f"  {r['footnote']:>3}.{r['seq']:<2} {r['state']:<8} {(r['last_outcome'] or '-'):<13} {ver:>5}  {r['url']}")
    return lines


def _citation_detail(con, footnote: int) -> str:
    from kzwatch.textdiff import readable_diff

    rows = fetch_dicts(con, "SELECT * FROM link_health WHERE footnote = ? ORDER BY article_id, seq", [footnote])
    if not rows:
        return f"no citation with footnote {footnote} and a URL"
    out = []
    for r in rows:
        out += [f"== {r['article_id']} footnote {r['footnote']}.{r['seq']}: {r['title'] or ''}",
                f"url: {r['url']}", f"state: {r['state']} (strikes {r['strikes']}, last outcome {r['last_outcome']}, "
                f"HTTP {r['http_status']})", f"final url: {r['final_url']}", f"moved to: {r['moved_to']}",
                f"drift (similarity to baseline): {r['drift']} {r['drift_band'] or ''}",
                f"verification (still the cited work?): {r['verification']}",
                f"archive: {r['archive_url']}", f"reason: {r['reason']}", "", "checks:"]
        for k in fetch_dicts(con, "SELECT * FROM check_history WHERE url = ? ORDER BY checked_at DESC LIMIT 20", [r["url"]]):
            status = k["http_status"] or "-"
            out.append(f"  {k['checked_at']:%Y-%m-%d %H:%M}  {k['outcome']:<13} {status:>4}  {_clip(k['evidence'] or '', 80)}")
        texts = fetch_dicts(con, """
            SELECT b.text AS baseline, c.text AS current, u.baseline_source, u.baseline_at, b.url AS baseline_url
            FROM url_state u
            LEFT JOIN snapshots b ON b.snapshot_id = u.baseline_snapshot_id
            LEFT JOIN snapshots c ON c.snapshot_id = u.last_snapshot_id WHERE u.url = ?""", [r["url"]])
        if texts and texts[0]["baseline_source"]:
            t = texts[0]
            where = "archived capture" if t["baseline_source"] == "archive" else "first live fetch"
            when = f"{t['baseline_at']:%Y-%m-%d}" if t["baseline_at"] else "?"
            out += ["", f"baseline: {where} of {when} — {t['baseline_url']}"]
        if texts and texts[0]["baseline"] is not None and texts[0]["current"] is not None:
            diff = readable_diff(texts[0]["baseline"], texts[0]["current"], max_chars=3000)
            out += ["", "diff baseline → current:", diff or "  (no difference)"]
        out.append("")
    return "\n".join(out)


def _clip(text: str | None, n: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"

