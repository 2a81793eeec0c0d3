"""Tests of kzwatch.health.classify: one fetch → one SPEC §4 outcome, with evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzwatch.health.classify import (
    CLASSIFY_RULES,
    TLS_EVIDENCE_PREFIX,
    apply_local_outage,
    classify_fetch,
    mass_failure,
    network_down,
)
from kzwatch.health.identity import IDENTITY_RULES, equivalent_urls, is_root_or_section, is_same_work, probe_url, work_identity
from kzwatch.health.pages import ClassifySettings, NotFoundPhrases, text_similarity
from kzwatch.model import OUTCOMES, CheckOutcome, FetchResult, Hop

WHEN = datetime(2024, 3, 1, tzinfo=UTC)
CITED = "https://rus.azattyq.org/a/kazakhstan-party-to-boycott-january-parliamentary-elections/30971975.html"
CITED_TITLE = "ОСДП объявила бойкот парламентским выборам"

ARTICLE_BODY = " ".join(
    f"Предложение номер {i} о выборах в мажилис, партиях, наблюдателях и явке избирателей." for i in range(60)
)


def page(title: str, body: str = ARTICLE_BODY, h1: str | None = None, extra: str = "") -> str:
    h1_html = f"<h1>{h1}</h1>" if h1 else ""
    return (
        f"<!doctype html><html><head><title>{title}</title>{extra}</head>"
        f"<body><nav>Главная Новости Политика Экономика</nav><main>{h1_html}<p>{body}</p></main>"
        f"<footer>© Азаттык</footer></body></html>"
    )


def fetched(
    url: str = CITED,
    status: int | None = 200,
    text: str | None = None,
    *,
    final_url: str | None = None,
    error: str | None = None,
    error_detail: str = "",
    headers: dict[str, str] | None = None,
    content_type: str | None = "text/html; charset=utf-8",
    not_modified: bool = False,
) -> FetchResult:
    if text is None and status is not None and error is None:
        text = page(f"{CITED_TITLE} | Азаттык")
    final = final_url or url
    hops = [Hop(url, 301 if final != url else status, final if final != url else None)]
    if final != url:
        hops.append(Hop(final, status))
    return FetchResult(
        url=url,
        requested_at=WHEN,
        final_url=final if error is None else None,
        status=status,
        headers=headers or {},
        body=(text or "").encode("utf-8"),
        text=text,
        content_type=content_type if text is not None else None,
        hops=hops if error is None else [],
        error=error,
        error_detail=error_detail,
        not_modified=not_modified,
    )


# --- fetch errors and statuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        ("invalid_url", "invalid_url"),
        ("unsafe", "unsafe"),
        ("dns_error", "dns_error"),
        ("connect_error", "connect_error"),
        ("timeout", "timeout"),
        ("robots_denied", "robots_denied"),
        ("local_outage", "local_outage"),
        ("too_many_redirects", "server_error"),
        ("redirect_loop", "server_error"),
        ("tls_error", "blocked"),
        ("something_new", "server_error"),
    ],
)
def test_fetch_errors_map_to_outcomes(error: str, outcome: str) -> None:
    result = classify_fetch(fetched(status=None, error=error, error_detail="detail-xyz"))
    assert result.outcome == outcome
    assert result.outcome != "not_found"
    if error != "something_new":
        assert "detail-xyz" in result.evidence


def test_tls_error_is_blocked_with_tls_evidence() -> None:
    result = classify_fetch(fetched(status=None, error="tls_error", error_detail="certificate verify failed"))
    assert result.evidence.startswith(TLS_EVIDENCE_PREFIX)
    assert "certificate verify failed" in result.evidence


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (404, "not_found"),
        (410, "not_found"),
        (429, "rate_limited"),
        (401, "blocked"),
        (403, "blocked"),
        (451, "blocked"),
        (500, "server_error"),
        (502, "server_error"),
        (503, "server_error"),
        (400, "server_error"),
        (405, "server_error"),
        (300, "server_error"),
    ],
)
def test_http_status_maps_to_outcome(status: int, outcome: str) -> None:
    result = classify_fetch(fetched(status=status, text="<html><body>error</body></html>"))
    assert result.outcome == outcome
    assert str(status) in result.evidence


def test_not_modified_is_ok() -> None:
    assert classify_fetch(fetched(status=304, text=None, not_modified=True)).outcome == "ok"


def test_not_found_after_redirect_names_final_url() -> None:
    result = classify_fetch(fetched(status=404, text="gone", final_url="https://www.azattyq.org/a/30971975.html"))
    assert result.outcome == "not_found"
    assert "www.azattyq.org" in result.evidence and "1 redirect" in result.evidence


def test_rate_limited_reports_retry_after() -> None:
    result = classify_fetch(fetched(status=429, text="slow down", headers={"retry-after": "120"}))
    assert "Retry-After 120" in result.evidence


# --- bot walls ---------------------------------------------------------------------------------

CLOUDFLARE_CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<div>Checking if the site connection is secure</div>"
    "<script>window._cf_chl_opt={cvId: '3'};</script></body></html>"
)


@pytest.mark.parametrize(
    ("status", "text", "headers"),
    [
        (503, CLOUDFLARE_CHALLENGE, {}),
        (200, CLOUDFLARE_CHALLENGE, {}),
        (200, page("Attention Required! | Cloudflare", "Sorry, you have been blocked"), {}),
        (200, page("Доступ запрещен", "Ваш запрос заблокирован"), {}),
        (200, "<html><body><div class='g-recaptcha' data-sitekey='x'></div>Подтвердите</body></html>", {}),
        (200, page("Сайт", "обычный текст " * 50), {"cf-mitigated": "challenge"}),
        (403, CLOUDFLARE_CHALLENGE, {}),
    ],
)
def test_bot_walls_are_blocked(status: int, text: str, headers: dict[str, str]) -> None:
    result = classify_fetch(fetched(status=status, text=text, headers=headers))
    assert result.outcome == "blocked"


def test_article_with_recaptcha_comment_form_is_ok() -> None:
    form = "<form><div class='g-recaptcha' data-sitekey='x'></div></form>"
    html = page(f"{CITED_TITLE} | Азаттык", ARTICLE_BODY + form)
    assert classify_fetch(fetched(text=html), cited_title=CITED_TITLE).outcome == "ok"


# --- soft-404: phrases and thin pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        page("Страница не найдена | Азаттык", "Вернуться на главную"),
        page("Азаттык", "Извините. Запрашиваемая страница не найдена. Перейти на главную страницу сайта."),
        page("Азаттық радиосы", "Басты бетке оралу", h1="Бет табылмады"),
        page("Парақ табылмады — Азаттық", "Басты бет"),
        page("Page not found - Eurasianet", "Try searching the site"),
        page("CABAR.asia", "Sorry, this article is no longer available. Browse our latest stories below."),
        page("404 | Vlast.kz", "Новости дня " * 30),
        page("Vlast.kz", "Новости дня " * 30, h1="Ошибка 404"),
        page("Not Found", "The requested URL was not found on this server."),
        page("Упс! | Forbes.kz", "Такой страницы нет, но есть много других " * 5),
    ],
)
def test_not_found_phrases_make_soft_404(html: str) -> None:
    result = classify_fetch(fetched(text=html))
    assert result.outcome == "soft_404", result
    assert result.evidence


def test_long_article_quoting_a_not_found_phrase_is_ok() -> None:
    body = ARTICLE_BODY + " Пользователи видели сообщение «страница не найдена» на сайте ЦИК. " + ARTICLE_BODY
    assert classify_fetch(fetched(text=page("Сайт ЦИК недоступен", body))).outcome == "ok"


@pytest.mark.parametrize(
    "title",
    [
        "Bodies of missing activists not found, police say | Eurasianet",
        "Указ Президента Республики Казахстан № 404 | Әділет",
        "Security check at Almaty airport tightened before the vote",
        "Access denied: observers barred from polling stations",
    ],
)
def test_article_whose_title_mentions_error_words_is_ok(title: str) -> None:
    assert classify_fetch(fetched(text=page(title, ARTICLE_BODY))).outcome == "ok"


def test_page_showing_the_cited_title_is_not_soft_404() -> None:
    html = page(CITED_TITLE, "Материал удален по требованию", h1=CITED_TITLE)
    assert classify_fetch(fetched(text=html), cited_title=CITED_TITLE).outcome == "ok"
    assert classify_fetch(fetched(text=html)).outcome == "soft_404"


def test_thin_page_is_soft_404_but_javascript_shell_is_not() -> None:
    thin = "<html><head><title>Азаттык</title></head><body><p>Главная</p></body></html>"
    result = classify_fetch(fetched(text=thin))
    assert result.outcome == "soft_404" and "thin" in result.evidence
    shell = '<html><head><title>App</title></head><body><div id="root"></div><script>x()</script></body></html>'
    result = classify_fetch(fetched(text=shell))
    assert result.outcome == "ok" and "JavaScript" in result.evidence


def test_empty_body_is_soft_404_and_pdf_is_ok() -> None:
    assert classify_fetch(fetched(text="")).outcome == "soft_404"
    pdf = fetched(text=None, content_type="application/pdf")
    pdf.body = b"%PDF-1.4 binary"
    pdf.content_type = "application/pdf"
    result = classify_fetch(pdf)
    assert result.outcome == "ok" and "application/pdf" in result.evidence


# --- soft-404: random probe ----------------------------------------------------------------------


def test_probe_url_keeps_directory_and_extension() -> None:
    assert probe_url(CITED, "qwzx") == (
        "https://rus.azattyq.org/a/kazakhstan-party-to-boycott-january-parliamentary-elections/qwzx.html"
    )
    assert probe_url("https://forbes.kz/process/6_iz_7/", "qwzx") == "https://forbes.kz/process/qwzx/"
    assert probe_url("https://iz.ru/news/315435?utm=1#x", "qwzx") == "https://iz.ru/news/qwzx"
    assert (
        probe_url("https://online.zakon.kz/document/?doc_id=1004029&doc_id2=1004029", "qwzx")
        == "https://online.zakon.kz/document/?doc_id=qwzx&doc_id2=qwzx"
    )
    with pytest.raises(ValueError):
        probe_url(CITED, "../etc")


def test_probe_landing_on_same_final_url_is_soft_404() -> None:
    cited = "https://vlast.kz/novosti/2021/43334-vse-pat.html"
    html = page("Все новости | Vlast.kz", ARTICLE_BODY)
    result = fetched(cited, text=html, final_url="https://vlast.kz/novosti/list")
    # the listing's content changed between the two fetches: only the shared target tells
    other_html = page("Все новости | Vlast.kz", "Свежие заголовки дня и другие новости " * 40)
    probe = fetched(probe_url(cited, "qwzx"), text=other_html, final_url="https://vlast.kz/novosti/list")
    # without a probe the redirect to another listing page is only "not confirmed"
    assert classify_fetch(result).outcome == "redirected"
    outcome = classify_fetch(result, probe=probe)
    assert outcome.outcome == "soft_404"
    assert "both end at https://vlast.kz/novosti/list" in outcome.evidence


def test_probe_with_near_identical_text_is_soft_404() -> None:
    template = "Такой публикации у нас нет, посмотрите свежие материалы: " + ARTICLE_BODY
    result = fetched(text=page("Азаттык", template + " /a/slug/30971975.html"))
    probe = fetched(probe_url(CITED, "qwzx"), text=page("Азаттык", template + " /a/slug/qwzx.html"))
    outcome = classify_fetch(result, probe=probe)
    assert outcome.outcome == "soft_404" and "identical" in outcome.evidence


def test_probe_answered_404_means_the_page_is_real() -> None:
    result = fetched(text=page(f"{CITED_TITLE} | Азаттык"))
    probe = fetched(probe_url(CITED, "qwzx"), status=404, text="not here")
    outcome = classify_fetch(result, probe=probe)
    assert outcome.outcome == "ok"
    assert "real errors" in outcome.evidence


def test_probe_with_different_content_is_ok() -> None:
    result = fetched(text=page(f"{CITED_TITLE} | Азаттык"))
    probe = fetched(probe_url(CITED, "qwzx"), text=page("Главная", "Совсем другой текст " * 80))
    assert classify_fetch(result, probe=probe).outcome == "ok"


def test_text_similarity_bounds() -> None:
    assert text_similarity("a b c", "a b c") == 1.0
    assert text_similarity("", "") == 1.0
    assert text_similarity("a b c d", "w x y z") == 0.0
    assert 0.0 < text_similarity("a b c d", "a b c e") < 1.0


# --- redirects: moved, root, section ----------------------------------------------------------------


@pytest.mark.parametrize(
    "final",
    [
        "https://rus.azattyq.org/",
        "https://rus.azattyq.org/ru/",
        "https://www.azattyq.org/index.html",
        "https://rus.azattyq.org/a/",
        "https://rus.azattyq.org/news/",
        "https://parked-domain.example/",
    ],
)
def test_redirect_to_root_or_section_is_soft_404(final: str) -> None:
    result = classify_fetch(fetched(text=page("Главная | Азаттык"), final_url=final))
    assert result.outcome == "soft_404"
    assert "redirected to" in result.evidence


def test_redirect_to_error_page_is_soft_404_and_to_login_is_blocked() -> None:
    error_page = classify_fetch(fetched(text=page("Азаттык"), final_url="https://rus.azattyq.org/404.html"))
    assert error_page.outcome == "soft_404"
    login = classify_fetch(fetched(text=page("Вход"), final_url="https://rus.azattyq.org/account/login?next=/a/1"))
    assert login.outcome == "blocked"


def test_rferl_article_moved_across_hosts_is_redirected_with_moved_to() -> None:
    final = "https://www.rferl.org/a/30971975.html"
    result = classify_fetch(fetched(text=page("Party to boycott elections | RFE/RL"), final_url=final))
    assert result.outcome == "redirected"
    assert result.moved_to == final
    assert "rferl:30971975" in result.evidence


def test_trivial_redirect_is_redirected_without_moved_to() -> None:
    cited = "http://adilet.zan.kz/rus/docs/U950002126_"
    final = "https://adilet.zan.kz/rus/docs/U950002126_/"
    result = classify_fetch(fetched(cited, text=page("Указ Президента", ARTICLE_BODY), final_url=final))
    assert result.outcome == "redirected"
    assert result.moved_to is None
    assert "equivalent" in result.evidence


def test_redirect_to_page_with_cited_title_is_moved() -> None:
    cited = "https://cabar.asia/ru/sovet-ne-doveriya-chto-poshlo-ne-tak"
    final = "https://cabar.asia/ru/archive/2021/novyj-adres-stati"
    html = page("Совет (не)доверия: что пошло не так — CABAR.asia", ARTICLE_BODY)
    result = classify_fetch(
        fetched(cited, text=html, final_url=final), cited_title="Sovet (ne)doveriia: chto poshlo ne tak"
    )
    assert result.outcome == "redirected"
    assert result.moved_to == final


def test_redirect_to_unrelated_page_is_not_confirmed_as_moved() -> None:
    cited = "https://cabar.asia/ru/protestnaya-aktivnost-v-kazahstane"
    final = "https://cabar.asia/ru/tag/kazakhstan/page/2"
    result = classify_fetch(fetched(cited, text=page("Казахстан — CABAR.asia"), final_url=final))
    assert result.outcome == "redirected"
    assert result.moved_to is None
    assert "not confirmed" in result.evidence


def test_redirect_to_different_rferl_article_is_not_moved() -> None:
    final = "https://rus.azattyq.org/a/another-story/31111111.html"
    result = classify_fetch(fetched(text=page("Другая статья"), final_url=final))
    assert result.moved_to is None
    assert "different article ids" in result.evidence


@pytest.mark.parametrize(
    ("url", "identity"),
    [
        (CITED, "rferl:30971975"),
        ("https://rus.azattyq.org/a/30971975.html", "rferl:30971975"),
        ("https://www.azattyq.org/a/kazakhstan/30971975.html", "rferl:30971975"),
        ("https://www.rferl.org/a/osce-monitor/31045296.html", "rferl:31045296"),
        ("https://example.kz/?p=123", "wp:example.kz:123"),
        ("https://www.example.kz/?page_id=77", "wp:example.kz:77"),
        ("https://online.zakon.kz/document/?doc_id=1004029&doc_id2=1004029", "zakon.kz:doc_id=1004029"),
        ("https://vlast.kz/novosti/43334-vse-pat-partij.html", "vlast.kz:43334"),
        ("https://iz.ru/news/315435", "iz.ru:315435"),
        ("https://www.chathamhouse.org/2021/01/elections-kazakhstan", None),
        ("https://example.kz/news/2021-results", None),
        ("https://oxussociety.org/", None),
        ("not a url", None),
    ],
)
def test_work_identity(url: str, identity: str | None) -> None:
    assert work_identity(url) == identity


def test_is_same_work_reasons() -> None:
    same, why = is_same_work(CITED, "https://www.rferl.org/a/30971975.html")
    assert same and "30971975" in why
    same, why = is_same_work(CITED, "https://rus.azattyq.org/a/other/30000001.html")
    assert not same and "different" in why
    same, _ = is_same_work("https://x.kz/old/kazakhstan-party-to-boycott", "https://x.kz/new/kazakhstan-party-to-boycott/")
    assert same
    same, _ = is_same_work("https://x.kz/a", "https://x.kz/b", "Токаев подписал указ", "Tokayev podpisal ukaz | X")
    assert same
    same, _ = is_same_work("https://x.kz/a", "https://x.kz/b", "Токаев подписал указ", "Новости")
    assert not same


def test_equivalent_urls_and_root_detection() -> None:
    assert equivalent_urls("http://www.a.kz/x/?utm_source=t", "https://a.kz/x")
    assert not equivalent_urls("https://a.kz/x?id=1", "https://a.kz/x?id=2")
    assert is_root_or_section("https://oxussociety.org/", "https://oxussociety.org/") is None
    assert is_root_or_section("https://a.kz/news/2021/x", "https://a.kz/news/") is not None
    assert is_root_or_section("https://a.kz/news/x", "https://a.kz/?p=5") is None


# --- our own network ------------------------------------------------------------------------------


def test_network_down_needs_all_canaries_failing_at_transport_level() -> None:
    down = fetched("https://canary.example/", status=None, error="dns_error")
    timeout = fetched("https://canary2.example/", status=None, error="timeout")
    answered = fetched("https://canary3.example/", status=503, text="maintenance")
    assert network_down([down, timeout])
    assert not network_down([down, answered])
    assert not network_down([])


@pytest.mark.parametrize("outcome", ["dns_error", "connect_error", "timeout"])
def test_transport_failures_become_local_outage_only_when_network_down(outcome: str) -> None:
    original = CheckOutcome(outcome, "refused")
    assert apply_local_outage(original, network_down=False) == original
    rewritten = apply_local_outage(original, network_down=True)
    assert rewritten.outcome == "local_outage"
    assert outcome in rewritten.evidence


def test_outage_rewrite_leaves_http_answers_and_rewrites_tls() -> None:
    for outcome in ("not_found", "server_error", "ok", "soft_404"):
        assert apply_local_outage(CheckOutcome(outcome), network_down=True).outcome == outcome
    tls = classify_fetch(fetched(status=None, error="tls_error"))
    assert apply_local_outage(tls, network_down=True).outcome == "local_outage"
    assert apply_local_outage(CheckOutcome("blocked", "HTTP 403"), network_down=True).outcome == "blocked"


def test_mass_failure() -> None:
    hosts = [f"h{i}.kz" for i in range(10)]
    all_down = [(h, "timeout") for h in hosts]
    assert mass_failure(all_down)
    assert not mass_failure(all_down[:4])  # fewer than min_hosts
    # 8 of 10 hosts failing at transport level: exactly the share
    eight = [(h, "connect_error") for h in hosts[:8]] + [(h, "ok") for h in hosts[8:]]
    assert mass_failure(eight)
    seven = [(h, "dns_error") for h in hosts[:7]] + [(h, "not_found") for h in hosts[7:]]
    assert not mass_failure(seven)
    # a host that answered once is not failing, and never-fetched outcomes are ignored
    mixed = [*all_down, *((h, "ok") for h in hosts[:3]), ("x.kz", "invalid_url")]
    assert not mass_failure(mixed)
    assert mass_failure([(h, CheckOutcome("timeout")) for h in hosts])


# --- phrase data ------------------------------------------------------------------------------------


def test_custom_phrase_list_is_used() -> None:
    custom = NotFoundPhrases.from_toml(
        """
[notfound]
ru = ["публикация снята"]
exact_titles = []
redirect_path_markers = []
[bot_wall]
titles = []
markers = []
[login]
path_markers = []
[spa]
markers = []
"""
    )
    html = page("Публикация снята | Сайт", "Перейти на главную")
    assert classify_fetch(fetched(text=html), phrases=custom).outcome == "soft_404"
    html = page("Страница не найдена", "Перейти на главную " * 10)
    assert classify_fetch(fetched(text=html), phrases=custom).outcome == "ok"


def test_malformed_phrase_data_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="malformed"):
        NotFoundPhrases.from_toml("[notfound]\nru = ['x']\n")


def test_thresholds_are_parameters() -> None:
    thin = "<html><head><title>T</title></head><body><p>" + "слово " * 30 + "</p></body></html>"
    assert classify_fetch(fetched(text=thin)).outcome == "ok"
    assert classify_fetch(fetched(text=thin), settings=ClassifySettings(thin_words=50)).outcome == "soft_404"


# --- robustness ------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    status=st.one_of(st.none(), st.integers(min_value=100, max_value=999)),
    text=st.one_of(st.none(), st.text(max_size=400)),
    error=st.one_of(st.none(), st.sampled_from(["dns_error", "timeout", "tls_error", "weird", "body_too_large"])),
    final=st.one_of(st.none(), st.sampled_from(["https://rus.azattyq.org/", "https://x.kz/a/b", "::::"])),
)
def test_classify_never_crashes(status, text, error, final) -> None:
    result = FetchResult(
        url=CITED,
        requested_at=WHEN,
        final_url=final,
        status=status,
        text=text,
        body=(text or "").encode("utf-8", "surrogatepass"),
        error=error,
        content_type="text/html",
    )
    outcome = classify_fetch(result, probe=result, cited_title="Заголовок")
    assert outcome.outcome in OUTCOMES
    assert outcome.evidence


def test_markup_garbage_and_xml_declaration_do_not_crash() -> None:
    for text in ("<?xml version='1.0' encoding='utf-8'?><html><body>x</body></html>", "<<<>>>", "\x00\x01"):
        assert classify_fetch(fetched(text=text)).outcome in OUTCOMES


def test_the_rules_are_a_named_ordered_table_and_the_last_always_decides():
    names = [name for name, _ in CLASSIFY_RULES]
    assert len(names) == len(set(names)) and names[-1] == "the page answers"
    # the status rules come before any look at the page, the page rules before the verdict
    assert names.index("a status that says what happened") < names.index("a bot wall") < names.index("a thin page")
    assert [name for name, _ in IDENTITY_RULES][0] == "RFE/RL (Pangea CMS) article id"
