"""The discovery cycle on the simulated web: every kind of source, hostile ones included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kzwatch.cycles import direct
from kzwatch.sim.simweb import Page
from kzwatch.store import open_readonly

T0 = datetime(2026, 4, 1, 6, 0, tzinfo=timezone.utc)
HOST = "outlet.test"

C5_RU = ("В бюллетени Казахстана вернули графу «против всех»",
         "Парламент Казахстана вернул графу «против всех» в избирательные бюллетени на выборах в Мажилис; её отменили в 2005 году.")
C2_EN = ("Kazakhstan's ruling Nur Otan party renamed Amanat",
         "Kazakhstan's ruling party Nur Otan, which won 71% in the 2021 Majilis election, has been renamed Amanat.")
KYRGYZ = ("В Кыргызстане подвели итоги выборов в Жогорку Кенеш",
          "ЦИК Кыргызстана сообщил, что явка на парламентских выборах составила 34,6 процента.")
PARTIES = ("Порог регистрации партий в Казахстане снизили до 5000 человек",
           "Для регистрации политической партии в Казахстане теперь нужно 5000 членов вместо 20 000, говорится в поправках к закону о партиях.")
CULTURE = ("В Алматы открылся фестиваль уличной музыки", "Фестиваль продлится три дня, выступят музыканты из пяти стран.")


def item_page(title: str, text: str) -> Page:
    return Page(body=f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article><h1>{title}</h1>"
                     f"<p>{text}</p></article></body></html>")


def rss(items, encoding="utf-8") -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid><description>{d}</description></item>"
                      for u, t, d in items)
    return (f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel><title>T</title>"
            f"{entries}</channel></rss>").encode(encoding)


def atom(items) -> bytes:
    entries = "".join(f"<entry><title>{t}</title><link href='{u}'/><id>{u}</id><updated>2026-04-01T00:00:00Z</updated>"
                      f"<summary>{d}</summary></entry>" for u, t, d in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>A</title>"
            f"<id>urn:a</id><updated>2026-04-01T00:00:00Z</updated>{entries}</feed>").encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>"""


@pytest.fixture
def site(web, kz_config):
    u = lambda path: web.url(HOST, path)  # noqa: E731
    web.add_name(HOST)
    stories = {"/c5": C5_RU, "/c2": C2_EN, "/kg": KYRGYZ, "/culture": CULTURE, "/cp": PARTIES}
    for path, (title, text) in stories.items():
        web.add(HOST, path, item_page(title, text))
    web.add(HOST, "/rss", Page(body=rss([(u("/c5"), *C5_RU), (u("/culture"), *CULTURE)]), content_type="application/rss+xml"))
    web.add(HOST, "/atom", Page(body=atom([(u("/c2"), *C2_EN)]), content_type="application/atom+xml"))
    web.add(HOST, "/wp/feed/", Page(body=rss([(u("/c5?utm_source=rss"), *C5_RU)]), content_type="application/rss+xml"))
    web.add(HOST, "/news/", Page(body=f"<html><body><ul class='news'><li><a class='t' href='{u('/kg')}'>{KYRGYZ[0]}</a></li>"
                                     f"<li><a class='t' href='{u('/c2')}'>{C2_EN[0]}</a></li></ul></body></html>"))
    web.add(HOST, "/sitemap.xml", Page(body=f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                           f"<url><loc>{u('/culture')}</loc></url></urlset>", content_type="application/xml"))
    web.add(HOST, "/laughs", Page(body=BILLION_LAUGHS, content_type="application/rss+xml"))
    web.add(HOST, "/became-html", Page(body="<!doctype html><html><head><link rel='alternate' type='application/rss+xml' "
                                             "href='/rss-new'></head><body>Мы обновили сайт</body></html>"))
    web.add(HOST, "/cp1251", Page(body=rss([(u("/cp"), *PARTIES)], encoding="windows-1251"),
                                   content_type="application/rss+xml"))
    big = rss([(u(f"/bulk/{i}"), f"Заметка номер {i} о погоде", "x" * 400) for i in range(33_000)])
    web.add(HOST, "/big", Page(body=big, content_type="application/rss+xml"))
    feeds = [("/rss", "rss", ""), ("/atom", "rss", ""), ("/wp/feed/", "rss", ""), ("/news/", "listing", "a.t"),
             ("/sitemap.xml", "sitemap", ""), ("/laughs", "rss", ""), ("/became-html", "rss", ""),
             ("/cp1251", "rss", ""), ("/big", "rss", "")]
    cfg = kz_config(hosts=[HOST], article=[{"id": "beimenbetov-2021"}], relevance={"max_items_per_feed": 50},
                    feed=[{"url": u(p), "kind": k, "outlet": "Outlet", **({"selector": s} if s else {})}
                          for p, k, s in feeds],
                    fetch={"timeout_s": 20, "max_body_bytes": 25_000_000})
    return cfg, u


def test_discovery_finds_each_item_once_flags_relevant_and_survives_hostile_feeds(site, fetcher):
    cfg, u = site
    summary = direct.run("discover", cfg, T0, fetcher=fetcher(max_body_bytes=25_000_000, timeout_s=20))
    assert summary.sources == 9
    with open_readonly(cfg.analyst_copy_path) as con:
        items = dict(con.execute("SELECT url, title FROM items WHERE url NOT LIKE '%/bulk/%'").fetchall())
        bulk = con.execute("SELECT count(*) FROM items WHERE url LIKE '%/bulk/%'").fetchone()[0]
        related = con.execute("SELECT claim_id, url, stance FROM related_reporting ORDER BY claim_id").fetchall()
        feeds = dict(con.execute("SELECT feed_url, last_error FROM feed_health").fetchall())
        broken = [s for (s,) in con.execute("SELECT subject FROM events WHERE kind = 'feed_broken'").fetchall()]
    # each story once, though /c5 came through two feeds, once with a tracking parameter
    assert sorted(p.split(":", 2)[2].split("/", 1)[1] for p in items) == sorted(["c5", "c2", "kg", "culture", "cp"])
    assert items[u("/cp")] == PARTIES[0]  # the cp1251 feed decoded into Cyrillic
    assert bulk == 50, feeds[u("/big")]  # the ~19 MB feed parsed, capped per feed
    claims = {(c, url) for c, url, _ in related}
    assert ("C5", u("/c5")) in claims
    assert ("C2", u("/c2")) in claims
    assert ("C8", u("/cp")) in claims
    assert not any(url in (u("/kg"), u("/culture")) for _, url, _ in related)  # near-miss and noise not flagged
    assert "entities_refused" in (feeds[u("/laughs")] or "")
    assert "became_html" in (feeds[u("/became-html")] or "")
    assert len(broken) == 2
    assert feeds[u("/rss")] is None

    # the next hour: no story stored or flagged twice; the big feed's backlog drains 50 at a time
    again = direct.run("discover", cfg, T0 + timedelta(hours=1), fetcher=fetcher(max_body_bytes=25_000_000))
    assert again.matches == 0
    with open_readonly(cfg.analyst_copy_path) as con:
        assert con.execute("SELECT count(*) FROM items WHERE url NOT LIKE '%/bulk/%'").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM items WHERE url LIKE '%/bulk/%'").fetchone()[0] == 100


def test_our_outage_is_not_a_broken_feed(web, kz_config, fetcher):
    web.add("canary.test", "/", Page(body="ok"))
    web.add(HOST, "/rss", Page(body=rss([]), content_type="application/rss+xml"))
    cfg = kz_config(hosts=[HOST, "canary.test"], article=[{"id": "beimenbetov-2021"}],
                    feed=[{"url": web.url(HOST, "/rss")}], fetch={"canary_urls": [web.url("canary.test", "/")]})
    for host in (HOST, "canary.test"):
        web.fail_host(host, "refuse")
    summary = direct.run("discover", cfg, T0, fetcher=fetcher(allow_private_hosts=(HOST, "canary.test")))
    assert summary.failed_sources == 0
    with open_readonly(cfg.analyst_copy_path) as con:
        kinds = [k for (k,) in con.execute("SELECT kind FROM events").fetchall()]
        failures = con.execute("SELECT consecutive_failures FROM feed_health").fetchall()
    assert kinds == ["own_outage"]
    assert failures == [(0,)]
