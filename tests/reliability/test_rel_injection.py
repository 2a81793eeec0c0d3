"""Output injection: hostile page text through every digest format, the report and the artifacts.

Each payload is planted in every page-derived field of a handful of events (subject, title,
outlet, evidence, sentence, diff, error, and the URL fields for URL-context payloads), then
rendered.  The outputs are PARSED, not grepped:

* HTML digest, e-mail HTML part, report, and Markdown (digest, Prefect digest artifact) after
  CommonMark rendering with raw HTML enabled (the worst case of a Markdown viewer): no tag that
  the same render of a harmless text lacks, no event-handler attribute, no link or source that
  is not http(s), no link the page text made up, no new ``<a>``;
* Slack: every ``<...>`` in mrkdwn is a link kzwatch built to an allowed URL; no ``<!channel>``,
  ``<@user>``, ``<#channel>``, no bare ``@channel``/``@here``/``@everyone``;
* e-mail: parsed with the ``email`` package: exactly the expected headers, single-line values;
* plain text and JSON: no control characters (terminal escapes) and no bidi overrides in text;
  JSON parses.
"""

from __future__ import annotations

import email
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from email import policy
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt

from kzwatch.alerts.digest import build_digest
from kzwatch.alerts.render import build_email, render_html, render_json, render_markdown, render_slack, render_text
from kzwatch.model import Event
from kzwatch.report import ReportData, render_report

T0 = datetime(2026, 3, 1, 6, tzinfo=timezone.utc)
SAFE_URL = "https://news.test/a/1"
ARCHIVE_URL = "https://web.archive.org/web/2021/https://news.test/a/1"

PAYLOADS = [
    # HTML element context
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.test/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>", "<iframe src=javascript:alert(1)>",
    "<object data=javascript:alert(1)>", "<embed src=//evil.test/x.swf>", "<style>*{display:none}</style>",
    "<link rel=stylesheet href=//evil.test/x.css>", "<meta http-equiv=refresh content='0;url=//evil.test'>",
    "<base href=//evil.test/>", "<form action=//evil.test><input name=p></form>", "<math><mtext><script>x</script>",
    "<details open ontoggle=alert(1)>", "<body onload=alert(1)>", "</td></tr></table><script>alert(1)</script>",
    "<!--", "--><script>alert(1)</script>", "<![CDATA[<script>alert(1)</script>]]>", "<scr<script>ipt>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "&#60;script&#62;alert(1)&#60;/script&#62;", "\x3cscript\x3ealert(1)",
    "<a href=javascript:alert(1)>click</a>", "<a href='https://evil.test'>legit</a>",
    # attribute context
    '" onmouseover="alert(1)', "' onfocus='alert(1)' autofocus='", '"><script>alert(1)</script>',
    "` onclick=`alert(1)", 'x" style="background:url(javascript:alert(1))',
    # Markdown link and image tricks
    "[click](javascript:alert(1))", "[click](https://evil.test)", "![x](https://evil.test/track.png)",
    "[x]: https://evil.test\n[click][x]", "<https://evil.test>", "<javascript:alert(1)>", "[a](<javascript:alert(1)>)",
    "**bold** _em_ `code` ~~del~~", "# Heading\n\n- list", "| a | b |\n|---|---|\n| <script> | x |",
    "```\n<script>alert(1)</script>\n```", "\\<script>alert(1)\\</script>", "[a](https://news.test \"title\" onclick=x)",
    # Slack mrkdwn mentions and links
    "<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<#C024BE7LR>", "<!subteam^S012345>",
    "@channel @here @everyone", "<https://evil.test|https://news.test>", "<mailto:a@evil.test|support>",
    # e-mail header CRLF
    "x\r\nBcc: victim@evil.test", "x\nSubject: spoofed", "x\r\n\r\n<script>alert(1)</script>", "=?utf-8?q?=0D=0ABcc:_x@evil.test?=",
    # template syntax
    "{{7*7}}", "${7*7}", "{% raw %}{{ config }}{% endraw %}", "#{7*7}", "<%= 7*7 %>", "{{constructor.constructor('alert(1)')()}}",
    # bidi controls and zero-width characters
    "\u202egnp.exe", "safe\u202e\u2066evil\u2069", "https://news.test\u2067/evil", "a\u200bb\u200cc\u200dd\ufeff",
    "\u061cx\u200ey\u200fz", "paypa\u200bl.test",
    # terminal escapes and other controls
    "\x1b[31mred\x1b[0m", "\x1b]8;;https://evil.test\x07link\x1b]8;;\x07", "\x00nul\x08bs\x7fdel", "line\u2028sep\u2029para",
    # URL-context payloads (also placed in the URL fields)
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>",
    "vbscript:msgbox(1)", "https://news.test/\"><script>alert(1)</script>", "https://news.test/a onmouseover=alert(1)",
    "//evil.test/x", "https://evil.test/%0d%0aSet-Cookie:x",
]


def events_with(payload: str) -> list[Event]:
    url_like = payload if re.match(r"\s*[a-zA-Z][\w+.-]*:|//", payload) else SAFE_URL

    def ev(event_id: str, kind: str, severity: str, **kw) -> Event:
        return Event(event_id=event_id, article_id="art-1", kind=kind, severity=severity, created_at=T0, **kw)

    return [
        ev("dead", "citation_dead", "high", subject=f"Dead: {payload}", footnote=3, url=url_like,
           details={"title": payload, "outlet": payload, "evidence": payload, "archive_url": url_like,
                    "final_url": url_like, "state": "dead", "reason": payload}),
        ev("moved", "citation_moved", "medium", subject=payload, footnote=4, url=SAFE_URL,
           details={"title": payload, "moved_to": url_like, "title_now": payload}),
        ev("drift", "citation_drifted", "medium", subject=payload, footnote=5, url=SAFE_URL,
           details={"title": payload, "similarity": 0.4, "diff": f"- {payload}\n+ {payload}", "archive_url": ARCHIVE_URL}),
        ev("news", "new_reporting", "low", subject=payload, claim_id="C1", url=url_like,
           details={"stance": "confirms", "score": 0.8, "sentence": payload, "outlet": payload, "title": payload,
                    payload[:40] or "k": payload}),
        ev("feed", "feed_broken", "medium", subject=f"Feed broken: {payload}", details={"error": payload}),
    ]


def digest_of(payload: str):
    return build_digest(events_with(payload), generated_at=T0, since=T0 - timedelta(days=1))


# --- parsing the outputs -----------------------------------------------------------------------------

ACTIVE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "img", "link", "base", "form", "input",
               "button", "frame", "frameset", "audio", "video", "source", "template", "textarea", "details"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))

    handle_startendtag = handle_starttag


def tags_of(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def assert_inert_html(markup: str, baseline: str, allowed_urls: set[str]) -> None:
    seen, base = tags_of(markup), tags_of(baseline)
    # kzwatch's own "<em>(not a web link)</em>" appears when a URL field holds a non-http URL
    new_tags = set(seen.tags) - set(base.tags) - {"em"}
    assert not new_tags, f"new tags: {new_tags}"
    assert not (set(seen.tags) & ACTIVE_TAGS) - set(base.tags)
    assert seen.tags.count("a") <= base.tags.count("a"), "page text made a link"
    for tag, name, value in seen.attrs:
        assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
        if name in URL_ATTRS:
            assert value in allowed_urls, f"<{tag} {name}={value!r}> is not a URL kzwatch put there"
        if name == "style":
            assert "url(" not in value.lower() and "expression" not in value.lower()


def allowed_urls_for(payload: str) -> set[str]:
    urls = {SAFE_URL, ARCHIVE_URL}
    stripped = payload.strip()
    parts = urlsplit(stripped) if re.match(r"https?://", stripped) else None
    if parts and parts.hostname and not any(c in stripped for c in "\"'<> \t\r\n`"):
        urls.add(stripped)  # a well-formed http(s) URL in a URL field may become a link
        # ...with invisible format characters (bidi, zero-width) removed, as every renderer does
        urls.add("".join(ch for ch in stripped if unicodedata.category(ch) != "Cf"))
    return urls


def commonmark(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(text)


_BAD_TEXT_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@pytest.fixture(scope="module")
def baseline():
    d = digest_of("harmless words")
    return {"html": render_html(d), "md": commonmark(render_markdown(d)),
            "email_html": _html_part(build_email(d, sender="kz@example.org", recipients=["m@example.org"]).as_bytes()),
            "report": render_report(report_data("harmless words"))}


def _html_part(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=policy.default)
    part = msg.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


def test_at_least_sixty_payloads():
    assert len(set(PAYLOADS)) == len(PAYLOADS) >= 60


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_digest_is_inert(payload, baseline):
    assert_inert_html(render_html(digest_of(payload)), baseline["html"], allowed_urls_for(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_digest_and_prefect_artifact_are_inert(payload, baseline):
    markdown = render_markdown(digest_of(payload))  # flows/digest.py publishes exactly this as the artifact
    assert_inert_html(commonmark(markdown), baseline["md"], allowed_urls_for(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_digest_has_no_controls_or_bidi(payload):
    text = render_text(digest_of(payload))
    assert not _BAD_TEXT_CHARS.search(text), repr(_BAD_TEXT_CHARS.search(text))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_digest_parses_and_keeps_text_as_data(payload):
    data = json.loads(render_json(digest_of(payload)))
    assert isinstance(data, dict)


_SLACK_ANGLE = re.compile(r"<([^>]*)>")
_SLACK_BARE_MENTION = re.compile(r"(?<![\w&])@(channel|here|everyone)\b")


def _slack_texts(obj) -> list[str]:
    if isinstance(obj, dict):
        return [t for k, v in obj.items() for t in ([v] if k == "text" and isinstance(v, str) else _slack_texts(v))]
    if isinstance(obj, list):
        return [t for v in obj for t in _slack_texts(v)]
    return []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_slack_payload_cannot_mention_or_link(payload):
    allowed = allowed_urls_for(payload)
    texts = _slack_texts(render_slack(digest_of(payload)))
    assert texts
    for text in texts:
        for inside in _SLACK_ANGLE.findall(text):
            assert not inside.startswith(("!", "@", "#")), f"Slack control sequence <{inside}>"
            assert inside.split("|", 1)[0] in allowed, f"Slack link <{inside}> not built by kzwatch"
        assert not _SLACK_BARE_MENTION.search(text), text
        assert not _BAD_TEXT_CHARS.search(text)


EXPECTED_HEADERS = {"subject", "from", "to", "date", "message-id", "auto-submitted", "mime-version", "content-type"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_email_has_no_header_injection_and_an_inert_html_part(payload, baseline):
    d = build_digest(events_with(payload), generated_at=T0, since=None, title=f"digest {payload}")
    raw = build_email(d, sender="kz@example.org", recipients=["m@example.org"]).as_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert {k.lower() for k in msg.keys()} == EXPECTED_HEADERS
    assert msg["To"] == "m@example.org" and msg.get("Bcc") is None
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    assert not _BAD_TEXT_CHARS.search(str(msg["Subject"]))
    assert_inert_html(_html_part(raw), baseline["email_html"], allowed_urls_for(payload))
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None and not _BAD_TEXT_CHARS.search(plain.get_content())


def report_data(payload: str) -> ReportData:
    url = payload if re.match(r"\s*[a-zA-Z][\w+.-]*:|//", payload) else SAFE_URL
    return ReportData(
        generated_at=T0, title="kzwatch report",
        health_series=[("2026-02-28", payload, "alive", 3), ("2026-03-01", payload, "dead", 1),
                       ("2026-03-01", "Outlet", payload, 2)],
        claim_exposure=[{"article_id": payload, "claim_id": payload, "citations": 3, "alive": 2, "dead": 1,
                         "drifted": 0, "support_missing": 0, "new_reports": 1}],
        drifts=[(5, url, 0.4, f"- {payload}\n+ {payload}")],
        reporting=[(payload, payload, url, payload, 0.8, payload)],
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_is_inert(payload, baseline):
    html = render_report(report_data(payload))
    assert "Content-Security-Policy" in html
    assert_inert_html(html, baseline["report"], allowed_urls_for(payload))
