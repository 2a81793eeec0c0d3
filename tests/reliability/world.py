"""A small article on the simulated web, written as a kzwatch config, for cycle-level tests."""

from __future__ import annotations

import json
from pathlib import Path

from kzwatch.sim.simweb import Page, SimWeb

STORY = ("<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
         "<h1>{title}</h1><p>По данным ЦИК, явка на выборах в Мажилис составила 63 процента, тогда как "
         "наблюдатели насчитали 35,10 процента. Эксперты сомневаются в официальных данных и требуют "
         "пересчёта голосов на ряде участков в крупных городах страны. Материал номер {n}.</p>"
         "</article></body></html>")


def story(n: int) -> Page:
    return Page(body=STORY.format(title=f"Явка на выборах, материал {n}", n=n))


def write_config(tmp: Path, web: SimWeb, urls: list[str], *, canaries: list[str] | None = None,
                 hosts: list[str] | None = None, fetch: dict | None = None, extra: str = "") -> Path:
    rows = ["footnote,url,title,outlet,author,published,accessed"]
    rows += [f"{i},{u},Явка на выборах материал {i},Outlet,,2021-01-10,2021-01-28" for i, u in enumerate(urls, 1)]
    (tmp / "cites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = {"per_host_delay_s": 0, "timeout_s": 2, "connect_timeout_s": 1, "retries": 0,
                "canary_urls": canaries or [], "allow_private_hosts": hosts or list(web.hosts),
                **(fetch or {})}
    body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in settings.items())
    path = tmp / "kzwatch.toml"
    path.write_text(f"""
[warehouse]
path = "w.duckdb"
lock_wait_s = 30
[[article]]
id = "art"
citations = "cites.csv"
[fetch]
{body}
[archive]
enabled = false
{extra}
""", encoding="utf-8")
    return path
