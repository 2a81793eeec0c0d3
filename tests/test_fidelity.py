"""Fidelity on the loopback simulated web: a work that moved to another domain, and a page that
is not the cited work from the very first check.

* A permanent redirect to another domain that serves the same work (same title and text as
  what we read before) is ``moved`` — and stays ``moved`` when the new location answers 304.
* A page answering 200 whose title, outlet and date all disagree with the citation, with no
  baseline to compare, is ``drifted`` with the verification evidence, not ``alive``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.sim.simweb import Page, Redirect
from kzwatch.store import open_readonly

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
HOSTS = ["old-outlet.test", "new-outlet.test", "other.test", "plain.test"]


def page(title: str, paragraphs: list[str], *, date: str = "", site: str = "") -> str:
    meta = f"<meta property='article:published_time' content='{date}'>" if date else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}{site}</title>{meta}</head><body>"
            f"<nav>Главная · Новости</nav><article><h1>{title}</h1><p>{' '.join(paragraphs)}</p></article>"
            f"<footer>© Outlet</footer></body></html>")


STORY = page("Наблюдатели оспорили итоги голосования", [
    "Независимые наблюдатели заявили, что явка на участках была значительно ниже официальной.",
    "По их подсчётам, на избирательные участки пришли около 35 процентов избирателей.",
    "Центральная избирательная комиссия назвала цифру в 63 процента и отвергла претензии.",
    "Наблюдатели намерены обжаловать итоги в суде и опубликовать протоколы участков.",
], date="2021-01-11")
UNRELATED = page("Как ухаживать за комнатными растениями зимой", [
    "Зимой растениям не хватает света, поэтому горшки лучше переставить ближе к окну.",
    "Поливать стоит реже, чем летом, а воду брать отстоявшуюся и комнатной температуры.",
    "Сухой воздух от батарей вредит листьям: помогает опрыскивание и поддон с галькой.",
    "Подкармливать растения в это время года не нужно, они отдыхают до весны.",
], date="2024-12-01", site=" | Дом и сад")


@pytest.fixture
def setup(web, tmp_path, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    for host in HOSTS:
        web.add_name(host)
    urls = {"moves": web.url("old-outlet.test", "/news/2021/observers"),
            "wrong": web.url("other.test", "/articles/4411"),
            "fine": web.url("plain.test", "/politics/observers-dispute")}
    rows = ["footnote,url,title,outlet,author,published,accessed",
            # the footnote's wording differs from the headline: the title alone does not prove the move
            f"1,{urls['moves']},Election monitors contest the count,Old Outlet,,2021-01-11,2021-01-28",
            f"2,{urls['wrong']},Nabliudateli osporili itogi golosovaniia,Vlast.kz,,2021-01-11,2021-01-28",
            f"3,{urls['fine']},Nabliudateli osporili itogi golosovaniia,Plain,,2021-01-11,2021-01-28"]
    (tmp_path / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "kzwatch.toml").write_text(
        f'[warehouse]\npath = "w.duckdb"\nlock_wait_s = 2\n[[article]]\nid = "a"\ncitations = "cites.csv"\n'
        f'[fetch]\nper_host_delay_s = 0\ntimeout_s = 3\nconnect_timeout_s = 2\nretries = 0\n'
        f'allow_private_hosts = {json.dumps(HOSTS)}\n[archive]\nenabled = false\n', encoding="utf-8")
    web.add("old-outlet.test", "/news/2021/observers", Page(body=STORY, etag='"s1"'))
    web.add("other.test", "/articles/4411", Page(body=UNRELATED))
    web.add("plain.test", "/politics/observers-dispute", Page(body=STORY))
    return web, urls, load_config(tmp_path / "kzwatch.toml")


def health(cfg) -> dict[str, dict]:
    with open_readonly(cfg.analyst_copy_path) as con:
        cur = con.execute("SELECT * FROM url_state")
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row)) for row in cur.fetchall()}


def test_a_permanent_move_to_another_domain_with_the_same_work_is_moved_and_stays_moved(setup, fetcher):
    web, urls, cfg = setup
    direct.run("check", cfg, T0, fetcher=fetcher())
    assert health(cfg)[urls["moves"]]["state"] == "alive"
    new = web.url("new-outlet.test", "/2021/01/11/observers-dispute-count")
    web.add("old-outlet.test", "/news/2021/observers", Redirect(new, 301))
    web.add("new-outlet.test", "/2021/01/11/observers-dispute-count", Page(body=STORY, etag='"n1"'))
    direct.run("check", cfg, T0 + timedelta(days=1), fetcher=fetcher())
    moved = health(cfg)[urls["moves"]]
    assert moved["state"] == "moved", moved["reason"]
    assert moved["moved_to"] == new
    web.requests.clear()
    for day in (2, 3):  # the new location now answers 304 to our conditional GET
        direct.run("check", cfg, T0 + timedelta(days=day), fetcher=fetcher())
        assert any(r.host == "new-outlet.test" and r.headers.get("if-none-match") == '"n1"' for r in web.requests)
        again = health(cfg)[urls["moves"]]
        assert (again["state"], again["moved_to"]) == ("moved", new), again["reason"]


def test_a_redirect_to_another_domain_with_other_content_is_not_moved(setup, fetcher):
    web, urls, cfg = setup
    direct.run("check", cfg, T0, fetcher=fetcher())
    elsewhere = web.url("new-outlet.test", "/garden/plants")
    web.add("old-outlet.test", "/news/2021/observers", Redirect(elsewhere, 301))
    web.add("new-outlet.test", "/garden/plants", Page(body=UNRELATED))
    direct.run("check", cfg, T0 + timedelta(days=1), fetcher=fetcher())
    assert health(cfg)[urls["moves"]]["state"] != "moved"


def test_a_page_that_is_clearly_not_the_cited_work_is_drifted_on_the_first_check(setup, fetcher):
    _, urls, cfg = setup
    direct.run("check", cfg, T0, fetcher=fetcher())
    states = health(cfg)
    wrong = states[urls["wrong"]]
    assert wrong["state"] == "drifted"
    assert "title" in wrong["reason"] and "outlet" in wrong["reason"] and "date" in wrong["reason"]
    assert states[urls["fine"]]["state"] == "alive"  # the same work, titled in another script
    with open_readonly(cfg.analyst_copy_path) as con:
        (details,), = con.execute("SELECT details FROM events WHERE kind = 'citation_drifted'").fetchall()
    assert "not the cited work" in json.loads(details)["evidence"]
    direct.run("check", cfg, T0 + timedelta(days=1), fetcher=fetcher())  # unchanged: still drifted
    assert health(cfg)[urls["wrong"]]["state"] == "drifted"


# --- the pure rules ---------------------------------------------------------------------------------

def test_not_the_cited_work_needs_every_stated_kind_of_evidence_to_disagree():
    from kzwatch.extract import PageInfo
    from kzwatch.health.verify import not_the_cited_work, outlet_found, verify_citation

    garden = PageInfo(title="Как ухаживать за комнатными растениями зимой", text="Зимой растениям не хватает света.",
                      published="2024-12-01")
    v = verify_citation("Nabliudateli osporili itogi golosovaniia", None, "2021-01-11", garden)
    assert not_the_cited_work(v, outlet_found("Vlast.kz", garden, "https://garden.test/a/1")).startswith(
        "not the cited work: title")
    assert not_the_cited_work(v, outlet_found("Vlast.kz", garden, "https://vlast.kz/a/1")) == ""  # outlet's own site
    assert not_the_cited_work(v, None) == ""  # the citation names no outlet: not clear
    dated = PageInfo(title=garden.title, text=garden.text, published="2021-01-11")
    assert not_the_cited_work(verify_citation("Nabliudateli osporili itogi golosovaniia", None, "2021-01-11", dated),
                              False) == ""  # the cited date is on the page
    same = PageInfo(title="Наблюдатели оспорили итоги голосования", text="…", published="2024-12-01")
    assert not_the_cited_work(verify_citation("Nabliudateli osporili itogi golosovaniia", None, "2021-01-11", same),
                              False) == ""  # the title matches across scripts


def test_moved_by_content_wants_a_permanent_redirect_and_the_same_title_and_text():
    from kzwatch.health.classify import moved_by_content, still_moved
    from kzwatch.model import CheckOutcome, FetchResult, Hop

    at = datetime(2026, 1, 5, tzinfo=timezone.utc)
    old, new = "https://old.test/news/1", "https://new.test/2021/story"

    def fetched(status: int, **kw) -> FetchResult:
        return FetchResult(url=old, requested_at=at, final_url=new, status=200,
                           hops=[Hop(old, status, new), Hop(new, 200, None)], **kw)

    unconfirmed = CheckOutcome("redirected", "HTTP 200 at new: a different page; same work not confirmed")
    assert moved_by_content(unconfirmed, fetched(301), same_title=True, same_text=True).moved_to == new
    assert moved_by_content(unconfirmed, fetched(308), same_title=True, same_text=True).moved_to == new
    assert moved_by_content(unconfirmed, fetched(302), same_title=True, same_text=True).moved_to is None
    assert moved_by_content(unconfirmed, fetched(301), same_title=True, same_text=False).moved_to is None
    assert moved_by_content(unconfirmed, fetched(301), same_title=False, same_text=True).moved_to is None
    ok_304 = CheckOutcome("ok", "304 Not Modified")
    again = FetchResult(url=old, requested_at=at, final_url=new, status=304, not_modified=True,
                        hops=[Hop(old, 301, new), Hop(new, 304, None)])
    assert still_moved(ok_304, again, new).moved_to == new
    assert still_moved(ok_304, again, None).moved_to is None  # was not moved before
    assert still_moved(ok_304, again, "https://elsewhere.test/x").moved_to is None
