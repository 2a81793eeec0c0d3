"""``kzwatch demo``: full cycles over simulated days against a simulated web on loopback.

No internet is needed.  A :class:`~kzwatch.sim.simweb.SimWeb` plays every host the default article
cites, plus a canary, a fake web archive, and the watched outlets' feeds.  Over the simulated
days the world changes the way the real one does:

* most citations stay healthy;
* one article is deleted (404) and, after three spaced strikes, becomes ``dead``;
* one is moved to a new slug under the same RFE/RL article id (``moved``);
* one redirects to the outlet's front page (``soft_404``);
* one page is replaced by an unrelated article (``drifted``), another loses a key figure
  (claim support ``missing``);
* one page had already lost its key figures before kzwatch first looked: its baseline is the
  fake archive's capture of the accessed date (fetched in ``id_`` form), so the loss shows on
  day 0 — a first live fetch as baseline could never show it;
* the legal database answers 403 behind a WAF and another host 451 (``blocked``, never dead);
* one host has a bad day (503) and recovers;
* on one day our own network is down — every connection is reset, the canary too — and nothing
  is counted against the sources (``local_outage``);
* the feeds (RSS, WordPress, Atom, a sitemap, the CEC's listing page) publish new items, some of
  them bearing on the article's claims, some near-misses.

The demo goes through the same contract as a real deployment: it writes a config file (hosts
mapped to loopback with ``[fetch] resolve``, listed in ``allow_private_hosts``, the simulated CA
trusted through ``REQUESTS_CA_BUNDLE``) and runs the ordinary cycles, through Prefect unless
``KZWATCH_PREFECT=0``.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kzwatch.config import DEFAULT_ARTICLE_ID, load_config, packaged_text
from kzwatch.corpus.csvio import citations_from_csv, citations_to_csv
from kzwatch.relevance import load_claims
from kzwatch.sim.simweb import Page, Redirect, SimWeb

START = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)
CANARY_HOST = "canary.kzwatch.test"
ARCHIVE_HOST = "archive.org"
WAYBACK_HOST = "web.archive.org"

# Which footnote's URL plays which part (footnote numbers of the default corpus).
DELETED, MOVED, SOFT_404, DRIFTS, LOSES_FIGURE, FLAKY, EDITED_EARLY = 17, 3, 14, 4, 27, 23, 31
CAPTURED = "20210127120000"  # the fake archive's captures: the day before the accessed date
WAF_HOST, LEGAL_451_HOST = "online.zakon.kz", "iz.ru"
OUTAGE_DAY, DRIFT_DAY, FIGURE_DAY, FLAKY_DAY, MOVE_DAY = 5, 3, 2, 2, 2


# --- the simulated world ------------------------------------------------------------------------


class DemoWorld:
    """The simulated web, arranged day by day."""

    def __init__(self, web: SimWeb, workdir: Path):
        self.web = web
        self.workdir = workdir
        text = packaged_text("citations.csv")
        self.citations = citations_from_csv(text, DEFAULT_ARTICLE_ID)
        self.claims = load_claims(packaged_text("claims.toml"), DEFAULT_ARTICLE_ID)
        self.urls = sorted({c.url for c in self.citations if c.url})
        self.feed_items: list[tuple[int, str, dict]] = _feed_items()

    # URLs as served: the cited address with the simulated server's port
    def local(self, url: str) -> str:
        parts = urlsplit(url)
        port = self.web.https_port if parts.scheme == "https" else self.web.http_port
        return urlunsplit((parts.scheme, f"{parts.hostname}:{port}", parts.path, parts.query, ""))

    def url_of(self, footnote: int) -> str:
        return next(c.url for c in self.citations if c.footnote == footnote and c.url)

    def hosts(self) -> list[str]:
        names = {_host(u) for u in self.urls} | {CANARY_HOST, ARCHIVE_HOST, WAYBACK_HOST}
        names |= {_host(f["feed"]) for f in _feed_sources()}
        names |= {_host(i["url"]) for _, _, i in self.feed_items}
        return sorted(n for n in names if n)

    def write_inputs(self) -> Path:
        """The demo's citations CSV (cited URLs re-pointed at the simulated ports) and config."""
        local_cites = [replace(c, url=self.local(c.url) if c.url else None,
                               url_display=self.local(c.url_display or c.url) if c.url else None)
                       for c in self.citations]
        (self.workdir / "citations.csv").write_text(citations_to_csv(local_cites), encoding="utf-8")
        hosts = self.hosts()
        feeds = "\n".join(_feed_toml(self.local(f["feed"]), f) for f in _feed_sources())
        resolve = ", ".join(f'"{h}" = "127.0.0.1"' for h in hosts)
        config = f"""# Written by kzwatch demo: the simulated web on loopback.
[warehouse]
path = "kzwatch-demo.duckdb"

[[article]]
id = "{DEFAULT_ARTICLE_ID}"
title = "Disabling Public Discontent: The 2021 Parliamentary Elections in Kazakhstan"
citations = "citations.csv"

{feeds}

[fetch]
per_host_delay_s = 0.0
timeout_s = 5
connect_timeout_s = 3
retries = 0
canary_urls = ["{self.web.url(CANARY_HOST, '/')}"]
allow_private_hosts = [{", ".join(f'"{h}"' for h in hosts)}]
resolve = {{ {resolve} }}

[archive]
availability_endpoint = "{self.web.url(ARCHIVE_HOST, '/wayback/available')}"
cdx_endpoint = "{self.web.url(WAYBACK_HOST, '/cdx/search/cdx')}"
timegate_endpoints = ["{self.web.url(WAYBACK_HOST, '/web/')}"]
max_per_minute = 1000  # a simulated archive: no need to pace the baseline lookups

[delivery.file]
dir = "digests"
"""
        path = self.workdir / "kzwatch-demo.toml"
        path.write_text(config, encoding="utf-8")
        return path

    # --- one day ---

    def arrange(self, day: int) -> None:
        """Set every route as the simulated web stands on ``day``."""
        web = self.web
        web.reset()
        for host in self.hosts():
            web.add_name(host)
            web.add(host, "/robots.txt", Page(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
        web.add(CANARY_HOST, "/", Page(body="ok", content_type="text/plain"))
        for url in self.urls:
            path = _path(url)
            web.add(_host(url), path, Page(body=self.article_page(url, day), etag=f'"v{day >= DRIFT_DAY}"'))
        self._story_routes(day)
        self._archive_routes()
        self._feed_routes(day)
        if day == OUTAGE_DAY:
            for host in self.hosts():
                web.fail_host(host, "reset")  # our uplink is down: nothing answers, canary included

    def _story_routes(self, day: int) -> None:
        web = self.web
        deleted = self.url_of(DELETED)
        web.add(_host(deleted), _path(deleted),
                Page(status=404, body="<html><title>Страница не найдена</title><h1>404</h1></html>"))
        if day >= MOVE_DAY:
            moved = self.url_of(MOVED)
            new_path = "/a/osdp-boycott-parliamentary-elections/" + _path(moved).rsplit("/", 1)[1]
            web.add(_host(moved), _path(moved), Redirect(self.local(_join(moved, new_path)), 301))
            web.add(_host(moved), new_path, Page(body=self.article_page(moved, day)))
        soft = self.url_of(SOFT_404)
        web.add(_host(soft), _path(soft), Redirect(self.local(_join(soft, "/")), 302))
        web.set_default(_host(soft), Redirect(self.local(_join(soft, "/")), 302))
        web.add(_host(soft), "/", Page(body=_front_page("Forbes Kazakhstan")))
        if day >= DRIFT_DAY:
            drifts = self.url_of(DRIFTS)
            web.add(_host(drifts), _path(drifts), Page(body=_unrelated_page(), etag='"replaced"'))
        if day >= FIGURE_DAY:
            edited = self.url_of(LOSES_FIGURE)
            web.add(_host(edited), _path(edited),
                    Page(body=self.article_page(edited, day, drop_figures=True), etag='"edited"'))
        early = self.url_of(EDITED_EARLY)  # edited between the author's visit and our first look
        web.add(_host(early), _path(early), Page(body=self.article_page(early, day, drop_figures=True)))
        if day == FLAKY_DAY:
            flaky = self.url_of(FLAKY)
            web.add(_host(flaky), _path(flaky), Page(status=503, body="overloaded"))
        web.set_default(WAF_HOST, Page(status=403, body="<title>Attention Required! | Cloudflare</title>"))
        for url in self.urls:
            if _host(url) == WAF_HOST:
                web.add(WAF_HOST, _path(url), Page(status=403, body="<title>Attention Required! | Cloudflare</title>"))
            if _host(url) == LEGAL_451_HOST:
                web.add(LEGAL_451_HOST, _path(url), Page(status=451, body="Unavailable For Legal Reasons"))

    def _archive_routes(self) -> None:
        """A fake Wayback Machine with captures, as the author read them, of the deleted, the
        drifted and the early-edited pages; mementos are served in their ``id_`` form."""
        from kzwatch.sim.simweb import Handler

        captured = {self.local(self.url_of(fn)): self.url_of(fn) for fn in (DELETED, DRIFTS, EDITED_EARLY)}
        for local, cited in captured.items():
            self.web.add(WAYBACK_HOST, f"/web/{CAPTURED}id_/{local}", Page(body=self.article_page(cited, 0)))

        def availability(req):
            from urllib.parse import parse_qs

            query = parse_qs(urlsplit(req.path).query)
            url = (query.get("url") or [""])[0]
            if url in captured:
                snap = {"available": True, "status": "200", "timestamp": CAPTURED,
                        "url": self.web.url(WAYBACK_HOST, f"/web/{CAPTURED}/{url}")}
                body = {"url": url, "archived_snapshots": {"closest": snap}}
            else:
                body = {"url": url, "archived_snapshots": {}}
            import json

            return Page(body=json.dumps(body), content_type="application/json")

        self.web.add(ARCHIVE_HOST, "/wayback/available", Handler(availability))
        self.web.add(WAYBACK_HOST, "/cdx/search/cdx", Page(body="[]", content_type="application/json"))
        self.web.set_default(WAYBACK_HOST, Page(status=404, body="not archived"))

    def _feed_routes(self, day: int) -> None:
        for source in _feed_sources():
            items = [(d, item) for d, key, item in self.feed_items if key == source["key"] and d <= day]
            for d, item in items:
                item_url = self.local(item["url"])
                self.web.add(_host(item["url"]), _path(item["url"]),
                             Page(body=_item_page(item["title"], item["text"])))
                item["local_url"] = item_url
            body, ctype = _render_feed(source, [i for _, i in items], START + timedelta(days=day))
            self.web.add(_host(source["feed"]), _path(source["feed"]), Page(body=body, content_type=ctype))

    def article_page(self, url: str, day: int, *, drop_figures: bool = False) -> str:
        cites = [c for c in self.citations if c.url == url]
        title = next((c.title for c in cites if c.title), "Article")
        footnotes = {c.footnote for c in cites}
        paragraphs = []
        for claim in self.claims:
            if footnotes & set(claim.footnotes):
                text = claim.text
                if drop_figures:
                    for figure in claim.figures:
                        text = re.sub(rf"(?<![\d.,]){re.escape(figure)}(?![\d]|[.,]\d)", "several", text)
                paragraphs.append(text)
        paragraphs.append(
            "Observers and analysts in Almaty and Nur-Sultan discussed the campaign, the parties on the "
            "ballot and the role of civil society in long interviews with our correspondents. "
            "The article continues with background on the electoral law and earlier elections.")
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return (f"<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
                f"</head><body><nav><a href='/'>Главная</a> <a href='/news/'>Новости</a></nav>"
                f"<article><h1>{html.escape(title)}</h1>{body}</article>"
                f"<footer>© outlet — все права защищены</footer></body></html>")


# --- feeds of the simulated outlets --------------------------------------------------------------


def _feed_sources() -> list[dict]:
    return [
        {"key": "azattyq", "feed": "https://rus.azattyq.org/api/zrqiteuuir", "kind": "rss", "format": "rss",
         "outlet": "Радио Азаттык", "lang": "ru"},
        {"key": "cabar", "feed": "https://cabar.asia/ru/feed/", "kind": "rss", "format": "rss",
         "outlet": "CABAR.asia", "lang": "ru"},
        {"key": "eurasianet", "feed": "https://eurasianet.org/region/kazakhstan/feed", "kind": "rss",
         "format": "atom", "outlet": "Eurasianet", "lang": "en"},
        {"key": "vlast", "feed": "https://vlast.kz/sitemap-news.xml", "kind": "sitemap", "format": "sitemap",
         "outlet": "Vlast.kz", "lang": "ru"},
        {"key": "cec", "feed": "https://www.election.gov.kz/rus/news/", "kind": "listing", "format": "listing",
         "outlet": "ЦИК РК", "lang": "ru", "selector": "ul.news-list a.news-title"},
    ]


def _feed_items() -> list[tuple[int, str, dict]]:
    """(day it appears, source key, item).  Written for the demo; some bear on claims, some don't."""
    def item(slug_host: str, path: str, title: str, text: str) -> dict:
        return {"url": f"https://{slug_host}{path}", "title": title, "text": text}

    return [
        (0, "azattyq", item("rus.azattyq.org", "/a/kultura-almaty-festival/32000001.html",
                            "В Алматы открылся фестиваль уличной музыки",
                            "Фестиваль продлится три дня, выступят музыканты из пяти стран.")),
        (1, "cabar", item("cabar.asia", "/ru/nur-otan-pereimenovali-v-amanat",
                          "Партию «Нур Отан» переименовали в «Аманат»",
                          "Правящая партия Казахстана «Нур Отан» на съезде сменила название и теперь называется «Аманат». "
                          "Партия получила большинство мест в Мажилисе на выборах 2021 года.")),
        (2, "azattyq", item("rus.azattyq.org", "/a/protiv-vseh-vernuli/32000002.html",
                            "В избирательные бюллетени Казахстана вернули графу «против всех»",
                            "Парламент принял поправки в закон о выборах: графа «против всех» вернётся в бюллетени "
                            "на выборах в Мажилис и маслихаты, её отменили в 2005 году.")),
        (2, "vlast", item("vlast.kz", "/novosti/50001-oyan-qazaqstan-zaderzhaniya.html",
                          "Активистов «Oyan, Qazaqstan!» задержали в Алматы после выборов",
                          "Полиция задержала участников движения «Oyan, Qazaqstan!» в день выборов в Мажилис; "
                          "по данным правозащитников, задержаны более 360 человек, митингующих держали в оцеплении девять часов.")),
        (3, "eurasianet", item("eurasianet.org", "/kazakhstan-lowers-party-registration-threshold",
                               "Kazakhstan lowers the bar for registering political parties",
                               "Kazakhstan has cut the number of members a party needs to register from 20,000 to 5,000, "
                               "amending the law on political parties after years in which no new party was registered.")),
        (4, "azattyq", item("rus.azattyq.org", "/a/kyrgyzstan-vybory-yavka/32000003.html",
                            "В Кыргызстане подвели итоги парламентских выборов",
                            "ЦИК Кыргызстана сообщил, что явка на выборах в Жогорку Кенеш составила 34,6 процента; "
                            "графы «против всех» в бюллетенях Кыргызстана больше нет.")),
        (6, "cec", item("www.election.gov.kz", "/rus/news/releases/index.php?ID=9001",
                        "ЦИК: явка на выборах депутатов Мажилиса составила 54,19%",
                        "По сообщению ЦИК, в 2023 году за депутатов Мажилиса Парламента "
                        "проголосовали 54,19 процента избирателей.")),
        (6, "cec", item("www.election.gov.kz", "/rus/news/releases/index.php?ID=9002",
                        "О проведении семинара для членов избирательных комиссий",
                        "ЦИК провёл обучающий семинар для членов территориальных избирательных комиссий.")),
    ]


def _render_feed(source: dict, items: list[dict], now: datetime) -> tuple[str, str]:
    fmt = source["format"]
    if fmt == "rss":
        entries = "".join(
            f"<item><title>{html.escape(i['title'])}</title><link>{html.escape(i['local_url'])}</link>"
            f"<guid>{html.escape(i['url'])}</guid><pubDate>{now:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            f"<description>{html.escape(i['text'][:200])}</description></item>" for i in items)
        return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{html.escape(source['outlet'])}</title>"
                f"<language>{source['lang']}</language>{entries}</channel></rss>", "application/rss+xml; charset=utf-8")
    if fmt == "atom":
        entries = "".join(
            f"<entry><title>{html.escape(i['title'])}</title><link href='{html.escape(i['local_url'])}'/>"
            f"<id>{html.escape(i['url'])}</id><updated>{now:%Y-%m-%dT%H:%M:%SZ}</updated>"
            f"<summary>{html.escape(i['text'][:200])}</summary></entry>" for i in items)
        return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<title>{html.escape(source['outlet'])}</title><id>urn:demo:{source['key']}</id>"
                f"<updated>{now:%Y-%m-%dT%H:%M:%SZ}</updated>{entries}</feed>", "application/atom+xml; charset=utf-8")
    if fmt == "sitemap":
        entries = "".join(f"<url><loc>{html.escape(i['local_url'])}</loc><lastmod>{now:%Y-%m-%d}</lastmod></url>" for i in items)
        return (f"<?xml version='1.0' encoding='utf-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                f"{entries}</urlset>", "application/xml")
    entries = "".join(f"<li><span class='date'>{now:%d.%m.%Y}</span> <a class='news-title' href='{html.escape(i['local_url'])}'>"
                      f"{html.escape(i['title'])}</a></li>" for i in items)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Новости ЦИК</title></head><body>"
            f"<ul class='news-list'>{entries}</ul></body></html>", "text/html; charset=utf-8")


def _feed_toml(local_url: str, source: dict) -> str:
    lines = ["[[feed]]", f'url = "{local_url}"', f'kind = "{source["kind"]}"', f'outlet = "{source["outlet"]}"',
             f'lang = "{source["lang"]}"']
    if source.get("selector"):
        lines.append(f'selector = "{source["selector"]}"')
    return "\n".join(lines) + "\n"


def _item_page(title: str, text: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><article><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></article></body></html>")


def _front_page(name: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(name)} — главная</title></head>"
            "<body><h1>Главные новости</h1><ul><li>Курс тенге</li><li>Погода</li></ul></body></html>")


def _unrelated_page() -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Как выбрать зимние шины</title></head><body>"
            "<article><h1>Как выбрать зимние шины</h1><p>Шипованные шины лучше держат лёд, фрикционные тише на асфальте. "
            "Проверьте глубину протектора и дату производства, храните комплект в тёмном прохладном месте.</p>"
            "<p>Эксперты советуют менять резину, когда среднесуточная температура опускается ниже плюс семи градусов.</p>"
            "</article></body></html>")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _join(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


# --- running it ----------------------------------------------------------------------------------


def run_demo(*, days: int = 8, out: str | None = None) -> int:
    import logging

    from kzwatch.cli import _use_prefect

    logging.getLogger("kzwatch.fetch").setLevel(logging.ERROR)  # the demo allowlists loopback on purpose
    workdir = Path(out) if out else Path(tempfile.mkdtemp(prefix="kzwatch-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)  # the simulated web is on loopback; never send it to a proxy
    with SimWeb() as web:
        if web.ca_path:  # set once the simulated web serves TLS
            os.environ["REQUESTS_CA_BUNDLE"] = web.ca_path
        world = DemoWorld(web, workdir)
        config_path = world.write_inputs()
        config = load_config(config_path)
        print(f"kzwatch demo: simulated web on 127.0.0.1 (http :{web.http_port}, https :{web.https_port}), "
              f"{len(world.urls)} cited URLs, {len(_feed_sources())} feeds; working in {workdir}")
        print(f"cycles run {'through Prefect (ephemeral API)' if _use_prefect() else 'directly (KZWATCH_PREFECT=0)'}\n")
        last_digest = ""
        for day in range(days):
            as_of = START + timedelta(days=day)
            world.arrange(day)
            result = _cycle(config_path, config, as_of)
            check, discover, digest = result["check"], result["discover"], result["digest"]
            states = ", ".join(f"{k} {v}" for k, v in sorted(check.get("states", {}).items()))
            note = "  (our network was down: nothing counted)" if check.get("network_down") else ""
            print(f"day {day} {as_of:%Y-%m-%d}: checked {check.get('checked', 0)} [{states}]{note}; "
                  f"{discover.get('new_items', 0)} new items, {discover.get('matches', 0)} claim matches; "
                  f"digest {digest.get('events', 0)} events{' sent' if digest.get('delivered') else ''}")
            if digest.get("markdown"):
                last_digest = digest["markdown"]
    from kzwatch.status import render_status

    print("\n" + render_status(config, as_of=START + timedelta(days=days - 1)))
    if last_digest:
        print("\n--- the last digest a maintainer received ---\n")
        print(last_digest)
    print(f"\nwarehouse:     {config.warehouse_path}\nanalyst copy:  {config.analyst_copy_path}\n"
          f"digests:       {workdir / 'digests'}\nconfig:        {config_path}\n"
          f"demo took {time.monotonic() - began:.0f} s. Try: kzwatch query --config {config_path} "
          f"\"SELECT * FROM link_health WHERE state <> 'alive'\"")
    sys.stdout.flush()
    return 0


def _cycle(config_path: Path, config, as_of: datetime) -> dict:
    from kzwatch.cli import _use_prefect

    if _use_prefect():
        from kzwatch_flows.cycle import full_cycle

        return full_cycle(config=str(config_path), as_of=as_of.isoformat())
    from kzwatch.cycles import direct

    return direct.run("run", config, as_of)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""
