"""An archive, not one article: ``kzwatch add`` from a URL to a first check, shared URLs checked
once per cycle, and ``kzwatch status`` grouped by article — all on the loopback simulated web."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kzwatch.cli import main
from kzwatch.config import load_config
from kzwatch.cycles import direct
from kzwatch.sim.simweb import Page
from kzwatch.status import render_status
from kzwatch.store import open_readonly

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=timezone.utc)
HOSTS = ["think.test", "news.test", "stats.test"]


def page(title: str, text: str) -> Page:
    return Page(body=f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                     f"<p>{text}</p></article></body></html>")


@pytest.fixture
def site(web, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", web.ca_path)
    monkeypatch.setenv("KZWATCH_PREFECT", "0")
    for host in HOSTS:
        web.add_name(host)
    web.add("news.test", "/2021/turnout.html", page("Turnout figures", "Turnout was 63 percent, observers said. " * 20))
    web.add("stats.test", "/tables/2021.pdf", Page(body="%PDF-1.4 a table", content_type="application/pdf"))
    web.add("news.test", "/2021/gone.html", Page(status=404, body="not found"))
    web.add("news.test", "/", Page(body="ok", content_type="text/plain"))  # the network canary
    article = (
        "<!doctype html><html><head><meta property='og:title' content='Elections and Turnout'></head><body>"
        "<article><h1>Elections and Turnout</h1><p>Turnout was 63%<sup><a href='#fn1' id='r1'>1</a></sup> and "
        "observers disputed it<sup><a href='#fn2' id='r2'>2</a></sup>.</p></article>"
        "<section class='footnotes'><ol>"
        f"<li id='fn1'>“Turnout Figures,” News, <a href='{web.url('news.test', '/2021/turnout.html')}'>news</a>, "
        "accessed 2 May 2021. <a href='#r1'>↩</a></li>"
        f"<li id='fn2'>Statistics Office, table, {web.url('stats.test', '/tables/2021.pdf')}; "
        f"“Gone,” {web.url('news.test', '/2021/gone.html')}. <a href='#r2'>↩</a></li>"
        "</ol></section></body></html>")
    web.add("think.test", "/publications/elections", Page(body=article))
    return web


def base_config(tmp_path: Path, web) -> Path:
    """A config with fetch settings for the simulated web and no article yet."""
    fetch = {"per_host_delay_s": 0, "timeout_s": 3, "connect_timeout_s": 2, "retries": 0,
             "allow_private_hosts": HOSTS, "resolve": {h: "127.0.0.1" for h in HOSTS},
             "canary_urls": [web.url("news.test", "/")]}
    lines = ["[warehouse]", 'path = "w.duckdb"', "lock_wait_s = 2", "[archive]", "enabled = false", "[fetch]"]
    lines += [f"{k} = {json.dumps(v)}" if not isinstance(v, dict) else
              f"{k} = {{ {', '.join(f'{json.dumps(a)} = {json.dumps(b)}' for a, b in v.items())} }}" for k, v in fetch.items()]
    path = tmp_path / "kzwatch.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_add_from_url_then_check(site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg_path = base_config(tmp_path, site)
    url = site.url("think.test", "/publications/elections")
    assert main(["add", url, "--config", str(cfg_path)]) == 0
    out = capsys.readouterr().out
    assert "citations with a URL 3" in out and "added article 'elections-and-turnout'" in out
    config = load_config(cfg_path)
    assert [a.id for a in config.articles] == ["elections-and-turnout"]  # replaces the packaged one
    assert (tmp_path / "articles" / "elections-and-turnout.citations.csv").is_file()

    # The same id again is refused, and the config is untouched.
    before = cfg_path.read_text(encoding="utf-8")
    assert main(["add", url, "--config", str(cfg_path)]) == 2
    assert "already configured" in capsys.readouterr().err and cfg_path.read_text(encoding="utf-8") == before
    assert main(["add", url, "--config", str(cfg_path), "--force"]) == 0
    assert load_config(cfg_path).articles[0].id == "elections-and-turnout"

    assert main(["check", "--config", str(cfg_path), "--as-of", T0.isoformat()]) == 0
    with open_readonly(load_config(cfg_path).analyst_copy_path) as con:
        states = dict(con.execute("SELECT url, last_outcome FROM link_health").fetchall())
    assert states[site.url("news.test", "/2021/turnout.html")] == "ok"
    assert states[site.url("news.test", "/2021/gone.html")] == "not_found"
    assert len(states) == 3


def test_add_refuses_private_address_without_allow_list(site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "plain.toml"
    cfg.write_text('[fetch]\nresolve = { "think.test" = "127.0.0.1" }\n', encoding="utf-8")
    assert main(["add", site.url("think.test", "/publications/elections"), "--config", str(cfg)]) == 2
    assert "unsafe" in capsys.readouterr().err


def write_article(tmp_path: Path, name: str, urls: list[str]) -> str:
    rows = ["footnote,url,title"] + [f"{i},{u},Title {i}" for i, u in enumerate(urls, start=1)]
    (tmp_path / f"{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f'[[article]]\nid = "{name}"\ntitle = "Article {name}"\ncitations = "{name}.csv"\n'


def test_each_url_checked_once_per_cycle_whatever_the_number_of_articles(site, tmp_path: Path, fetcher) -> None:
    shared = site.url("news.test", "/2021/turnout.html")
    table = site.url("stats.test", "/tables/2021.pdf")
    gone = site.url("news.test", "/2021/gone.html")
    cfg_path = base_config(tmp_path, site)
    articles = [write_article(tmp_path, f"a{i}", [shared, table] + ([gone] if i % 2 else [])) for i in range(5)]
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8") + "\n" + "\n".join(articles), encoding="utf-8")
    config = load_config(cfg_path)
    site.requests.clear()
    direct.run("check", config, T0, fetcher=fetcher())
    cited = ["/2021/turnout.html", "/tables/2021.pdf", "/2021/gone.html"]
    # (Other requests are robots.txt, the canary and soft-404 probes of random paths.)
    assert sorted(r.path for r in site.requests if r.path in cited) == sorted(cited)  # 5 articles, once each

    status = render_status(config, as_of=T0)
    for i in range(5):
        assert f"== a{i}: Article a{i}" in status
    section = status.split("== a1:")[1].split("== a2:")[0]
    assert "distinct URLs 3" in section and gone in section
    assert gone not in status.split("== a0:")[1].split("== a1:")[0]
    only = render_status(config, as_of=T0, article="a3")
    assert "== a3:" in only and "== a2:" not in only
    with pytest.raises(ValueError, match="no article 'zz'"):
        render_status(config, as_of=T0, article="zz")
