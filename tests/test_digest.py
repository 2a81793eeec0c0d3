"""Digest grouping and safe rendering in every output dialect (threat catalogue E1–E5)."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from kzwatch.alerts.digest import build_digest, safe_http_url
from kzwatch.alerts.render import (
    build_email,
    escape_markdown,
    header_safe,
    render_html,
    render_json,
    render_markdown,
    render_slack,
    render_text,
)
from kzwatch.alerts.render.slack import SLACK_MAX_BLOCKS, SLACK_MAX_SECTION_CHARS
from kzwatch.model import Event

T0 = datetime(2024, 3, 11, 6, 0, tzinfo=timezone.utc)
HOSTILE_TITLE = "{{7*7}}<script>alert(1)</script>"

#: Page-derived strings that must arrive as literal text everywhere (E1–E4).
PAYLOADS = [
    HOSTILE_TITLE,
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '"><script>alert(1)</script>',
    "'><a href=javascript:alert(1)>x</a>",
    "<a href=\"http://phish.example\">Официальное уведомление</a>",
    "&lt;a href=http://phish.example&gt;click&lt;/a&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "[Официальное уведомление](http://phish.example)",
    "![img](http://tracker.example/p.png)",
    "<http://phish.example>",
    "[x]: http://phish.example",
    "**bold** _it_ `code` ~~strike~~",
    "# heading\n## another",
    "| a | b |\n|---|---|",
    "<!channel> <!here> <!everyone>",
    "<@U12345> <#C12345>",
    "<http://phish.example|Click me>",
    "@channel @here @everyone",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for x in range(3) %}{{x}}{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "line1\r\nBcc: victim@example.org",
    "\x1b[31mred\x1b[0m terminal escape",
    "nul\x00byte",
    "\u202eevil\u202c bidi override",
    "<style>body{display:none}</style>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "javascript:alert(document.cookie)",
    "\\<script\\>",
]


def ev(
    event_id: str,
    kind: str = "citation_dead",
    severity: str = "high",
    *,
    article_id: str = "art-1",
    subject: str = "Citation is dead",
    footnote: int | None = 12,
    claim_id: str | None = None,
    url: str | None = "https://example.kz/news/1",
    details: dict | None = None,
    created_at: datetime = T0,
) -> Event:
    return Event(
        event_id=event_id,
        article_id=article_id,
        kind=kind,
        severity=severity,
        created_at=created_at,
        subject=subject,
        footnote=footnote,
        claim_id=claim_id,
        url=url,
        details=details or {},
    )


def hostile_digest(payload: str = HOSTILE_TITLE, url: str = "javascript:alert(1)"):
    events = [
        ev(
            "dead-1",
            subject=f"Dead: {payload}",
            url=url,
            details={
                "title": payload,
                "evidence": payload,
                "archive_url": url,
                "diff": f"- {payload}\n+ {payload}",
            },
        ),
        ev(
            "news-1",
            "new_reporting",
            "low",
            subject=payload,
            claim_id="C1",
            footnote=None,
            url="https://news.example/item?a=1&b=<2>",
            details={"stance": "confirms", "score": 0.8, "sentence": payload, "outlet": payload},
        ),
        ev("feed-1", "feed_broken", "medium", subject=f"Feed broken: {payload}", footnote=None,
           details={"error": payload}),
    ]
    return build_digest(events, generated_at=T0, since=T0 - timedelta(days=1), title="kzwatch digest")


# --- Grouping ------------------------------------------------------------------------------------


def test_groups_by_article_then_severity_high_to_info_with_operational_apart():
    events = [
        ev("a-info", "citation_recovered", "info", article_id="b-art"),
        ev("b-high", "citation_dead", "high", article_id="b-art", footnote=3),
        ev("a-news-c2", "new_reporting", "low", article_id="a-art", claim_id="C2", footnote=None),
        ev("a-news-c1", "new_reporting", "low", article_id="a-art", claim_id="C1", footnote=None,
           details={"score": 0.2}),
        ev("a-news-c1b", "new_reporting", "low", article_id="a-art", claim_id="C1", footnote=None,
           details={"score": 0.9}),
        ev("a-med", "citation_drifted", "medium", article_id="a-art", footnote=7),
        ev("a-support", "support_missing", "medium", article_id="a-art", claim_id="C3", footnote=None),
        ev("ops", "own_outage", "high", article_id="a-art", footnote=None),
    ]
    d = build_digest(events, generated_at=T0, since=None)

    assert [a.article_id for a in d.articles] == ["a-art", "b-art"]
    a_art, b_art = d.articles
    assert [s.severity for s in a_art.sections] == ["medium", "low"]
    assert [s.severity for s in b_art.sections] == ["high", "info"]
    medium = a_art.sections[0]
    assert [g.label for g in medium.groups] == ["Citations", "Claims whose support went missing"]
    low = a_art.sections[1]
    assert [g.claim_id for g in low.groups] == ["C1", "C2"]
    # Strongest match first within a claim.
    assert [e.event_id for e in low.groups[0].events] == ["a-news-c1b", "a-news-c1"]
    # Operational notices never mix with content alerts.
    assert [e.event_id for e in d.operational] == ["ops"]
    assert "ops" not in [e.event_id for g in a_art.sections for grp in g.groups for e in grp.events]
    assert d.counts["total"] == 8 and d.counts["operational"] == 1 and d.counts["content"] == 7
    assert list(d.counts["by_severity"]) == ["high", "medium", "low", "info"]


def test_duplicate_event_ids_are_shown_once_and_empty_digest_is_empty():
    d = build_digest([ev("x"), ev("x"), ev("y", footnote=2)], generated_at=T0, since=None)
    assert sorted(d.event_ids) == ["x", "y"]
    assert not d.is_empty
    empty = build_digest([], generated_at=T0, since=None)
    assert empty.is_empty
    assert "Nothing new" in render_markdown(empty)
    assert render_slack(empty)["text"].startswith("kzwatch digest: 0 alerts")


def test_events_are_not_filtered_by_since():
    # A snoozed alert that comes back is older than the last digest and must still be shown.
    old = ev("old", created_at=T0 - timedelta(days=30))
    d = build_digest([old], generated_at=T0, since=T0 - timedelta(days=1))
    assert d.event_ids == ["old"]


def test_unknown_kind_and_severity_do_not_crash_and_sort_last():
    d = build_digest(
        [ev("odd", kind="something_new", severity="weird"), ev("n", severity="info")],
        generated_at=T0,
        since=None,
    )
    assert [s.severity for s in d.articles[0].sections] == ["info", "weird"]
    assert "something_new" in render_text(d)


def test_content_alerts_show_archive_links_evidence_and_reporting_details():
    events = [
        ev("d", details={"title": "Итоги выборов", "evidence": "404 on 3 checks 72h apart",
                         "archive_url": "https://web.archive.org/web/2021/https://example.kz/news/1"}),
        ev("n", "new_reporting", "low", claim_id="C1", footnote=None,
           details={"stance": "contradicts", "score": 0.91, "sentence": "ЦИК объявила 63%"}),
    ]
    d = build_digest(events, generated_at=T0, since=None)
    md = render_markdown(d)
    assert "[https://web.archive.org/web/2021/https://example.kz/news/1](https://web.archive.org/web/2021/https://example.kz/news/1)" in md
    assert "404 on 3 checks 72h apart" in md
    assert "contradicts" in md and "ЦИК объявила 63%" in md and "0.91" in md
    page = render_html(d)
    assert '<a href="https://web.archive.org/web/2021/https://example.kz/news/1"' in page


# --- Safety: every dialect -------------------------------------------------------------------------


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


ALLOWED_DIGEST_TAGS = {"html", "head", "meta", "title", "body", "h1", "h2", "h3", "h4", "p", "div",
                       "span", "strong", "em", "ul", "li", "a", "q", "pre"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_digest_keeps_page_text_inert(payload):
    page = render_html(hostile_digest(payload))
    parser = _TagCollector()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_DIGEST_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value.startswith(("http://", "https://")), value
    lowered = page.lower()
    assert "<script" not in lowered and "javascript:" not in "".join(
        v or "" for _, attrs in parser.tags for _, v in attrs
    )
    # The page text is still there, as text: the dead citation's line is headed by its title.
    visible = "".join(parser.text)
    assert "Dead" in visible and "Evidence: " in visible
    shown = "".join(ch for ch in payload if ch.isalnum())[:6]
    assert shown in "".join(ch for ch in visible if ch.isalnum())


def test_hostile_title_is_literal_in_every_format():
    d = hostile_digest()
    page = render_html(d)
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "{{7*7}}" in page and "49" not in page

    md = render_markdown(d)
    assert "<script>" not in md and "{{7\\*7}}" in md and "49" not in md

    text = render_text(d)
    assert HOSTILE_TITLE in text  # plain text shows it as is: nothing interprets it

    slack = json.dumps(render_slack(d), ensure_ascii=False)
    assert "&lt;script&gt;" in slack and "<script>" not in slack and "49" not in slack

    body = json.loads(render_json(d))
    assert body["articles"][0]["sections"][0]["groups"][0]["events"][0]["details"]["title"] == HOSTILE_TITLE

    msg = build_email(d, sender="kzwatch@example.org", recipients=["maint@example.org"])
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    html_part = msg.get_body(preferencelist=("html",)).get_content()
    assert "&lt;script&gt;" in html_part and "<script>" not in html_part


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renders_page_text_as_text(payload):
    markdown_it = pytest.importorskip("markdown_it")  # shipped with rich, a Prefect dependency
    renderer = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    md = render_markdown(hostile_digest(payload))
    assert "<script" not in md.lower()
    parser = _TagCollector()
    parser.feed(renderer.render(md))
    hrefs = [v for tag, attrs in parser.tags for k, v in attrs if k in ("href", "src")]
    # The only links are the ones kzwatch made from validated URL fields.
    assert all(h.startswith(("https://news.example/", "https://example.kz/")) for h in hrefs), hrefs
    tags = {tag for tag, _ in parser.tags}
    assert tags <= {"h1", "h2", "h3", "h4", "p", "ul", "li", "strong", "em", "a", "blockquote", "br", "hr"}, tags


def test_markdown_link_injection_does_not_become_a_link():
    md = escape_markdown("[Официальное уведомление](http://phish.example)")
    assert md == "\\[Официальное уведомление\\]\\(http://phish.example\\)"


@pytest.mark.parametrize("payload", ["<!channel>", "<!here|here>", "<@U12345>", "<http://phish|Click>",
                                     "@channel", "@here", "@everyone"])
def test_slack_payload_cannot_mention_or_link(payload):
    blob = json.dumps(render_slack(hostile_digest(payload)), ensure_ascii=False)
    assert "<!" not in blob and "<@" not in blob and "<http://phish" not in blob
    for word in ("@channel", "@here", "@everyone"):
        assert word not in blob


def test_slack_respects_block_and_section_limits():
    events = [
        ev(f"e{i:03d}", footnote=i, details={"diff": "x" * 5000, "title": "&" * 4000}) for i in range(120)
    ]
    payload = render_slack(build_digest(events, generated_at=T0, since=None))
    assert len(payload["blocks"]) <= SLACK_MAX_BLOCKS
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SLACK_MAX_SECTION_CHARS
            assert not block["text"]["text"].rstrip(" …[cut]").endswith(("&am", "&a", "&"))
    assert "more alert(s) not shown" in payload["blocks"][-1]["text"]["text"]
    long_title = render_slack(build_digest(events[:1], generated_at=T0, since=None, title="T" * 400))
    assert len(long_title["blocks"][0]["text"]["text"]) <= 150  # Slack's header limit


def test_email_is_multipart_alternative_with_safe_headers():
    d = build_digest([ev("x")], generated_at=T0, since=None, title="Weekly\r\nBcc: victim@example.org")
    msg = build_email(d, sender="kzwatch@example.org", recipients=["a@example.org", "b@example.org"])
    raw = msg.as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Bcc"] is None
    assert "\n" not in str(parsed["Subject"]) and parsed["Subject"].startswith("[kzwatch] Weekly Bcc:")
    assert parsed["Auto-Submitted"] == "auto-generated"
    # Same digest → same Message-ID (a retried send can be folded by mail clients).
    again = build_email(d, sender="kzwatch@example.org", recipients=["a@example.org"])
    assert again["Message-ID"] == msg["Message-ID"]
    with pytest.raises(ValueError):
        build_email(d, sender="x@example.org\r\nBcc: v@example.org", recipients=["a@example.org"])
    with pytest.raises(ValueError):
        build_email(d, sender="x@example.org", recipients=[])


def test_header_safe_strips_controls_and_caps_length():
    assert header_safe("a\r\nb\x00c\td") == "a bc d"
    assert len(header_safe("й" * 500)) == 200


def test_text_output_strips_terminal_escapes():
    d = build_digest([ev("x", subject="\x1b]0;pwned\x07\x1b[31mred")], generated_at=T0, since=None)
    out = render_text(d)
    assert "\x1b" not in out and "\x07" not in out and "red" in out


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://example.kz/a?b=1", True),
        ("HTTP://EXAMPLE.KZ/", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" https://example.kz/", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("file:///etc/passwd", False),
        ("//example.kz/x", False),
        ('https://example.kz/"onmouseover="alert(1)', False),
        ("https://example.kz/\u202eexe.pdf", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url, ok):
    assert (safe_http_url(url) is not None) is ok


# --- Size bound and JSON schema --------------------------------------------------------------------


def big_digest(n: int = 400):
    events = [ev(f"e{i:04d}", footnote=i, details={"diff": ("<b>ä</b> " * 2500)}) for i in range(n)]
    return build_digest(events, generated_at=T0, since=None)


@pytest.mark.parametrize(
    "render, entry_marker",
    [(render_markdown, "- **Dead**"), (render_text, "* [Dead]"), (render_html, "<div")],
)
def test_rendered_digest_is_capped_with_a_note(render, entry_marker):
    cap = 200_000
    out = render(big_digest(), max_bytes=cap)
    assert len(out.encode()) <= cap
    omitted = int(re.search(r"(\d+) more alert", out).group(1))
    shown = out.count(entry_marker)
    assert shown > 0 and omitted > 0 and shown + omitted == 400
    if render is render_html:
        assert out.endswith("</body></html>\n")
        assert out.count("<div") == out.count("</div>")


def test_default_cap_is_one_mebibyte():
    out = render_html(big_digest(600))
    assert len(out.encode()) <= 1024 * 1024 and "not shown" in out


def test_json_schema_is_stable_and_capped():
    d = hostile_digest()
    body = json.loads(render_json(d))
    assert set(body) == {"schema", "title", "generated_at", "since", "articles", "operational", "counts",
                         "truncated"}
    assert body["since"] == (T0 - timedelta(days=1)).isoformat()
    event = body["operational"][0]
    assert set(event) == {"event_id", "article_id", "kind", "severity", "created_at", "subject",
                          "footnote", "claim_id", "url", "details"}
    assert body["truncated"] is None
    assert render_json(d) == render_json(d)  # deterministic

    capped = json.loads(render_json(big_digest(), max_bytes=100_000))
    shown = sum(len(g["events"]) for a in capped["articles"] for s in a["sections"] for g in s["groups"])
    assert capped["truncated"]["omitted_events"] == 400 - shown > 0
    assert len(render_json(big_digest(), max_bytes=100_000).encode()) <= 100_000


# --- lines written for people ------------------------------------------------------------------


def test_a_digest_line_says_each_thing_once_and_hides_internal_keys():
    reminder = Event("r1", "art", "citation_reminder", "medium", T0, "Still dying: footnote 17", footnote=17,
                     url="https://example.kz/a/1",
                     details={"title": "Ballots spoiled as protest", "state": "dying", "evidence": "HTTP 404",
                              "final_url": "https://example.kz/a/1", "since": "2024-03-02T06:00:00+00:00",
                              "reminder_of": "89d3128e1221e630db92ee86", "weeks_broken": 2, "outcome": "not_found"})
    text = render_text(build_digest([reminder], generated_at=T0, since=None))
    assert "[Still dying] footnote 17: Ballots spoiled as protest" in text
    assert "Broken since: 2024-03-02\n" in text and "Broken for: 2 weeks" in text
    assert text.count("https://example.kz/a/1") == 1  # the final URL equals the cited one
    assert "footnote 17" in text and text.count("17") == 1
    for internal in ("reminder_of", "89d3128e", "weeks_broken", "not_found", "failing", "State:"):
        assert internal not in text, internal
    # every key stays in the machine-readable form
    body = json.loads(render_json(build_digest([reminder], generated_at=T0, since=None)))
    assert body["articles"][0]["sections"][0]["groups"][0]["events"][0]["details"]["reminder_of"] == "89d3128e1221e630db92ee86"


def test_every_event_kind_has_a_label_a_severity_and_a_group():
    from kzwatch.model import EVENT_KINDS, SEVERITIES, STATES

    for kind in EVENT_KINDS.values():
        assert kind.label and kind.severity in SEVERITIES
        assert kind.group in ("citations", "support", "reporting", "operational")
        assert kind.state is None or kind.state in STATES
        assert not (kind.breakage and kind.operational)
    ev = Event("x", "art", "support_missing", "high", T0, "C5: support missing at https://x", claim_id="C5",
               url="https://x", details={"missing": ["63%"], "found": []})
    (line,) = [ln for ln in render_text(build_digest([ev], generated_at=T0, since=None)).splitlines() if "[Support" in ln]
    assert "no longer on the cited page" in line and "https://x" not in line
