"""Configuration: TOML in, typed frozen objects out (SPEC §3).

Where the config comes from, in order: ``--config PATH``, ``$KZWATCH_CONFIG``, else the packaged
default (``kzwatch/data/default.toml``).  A user config is laid over the packaged default key by
key, except that its ``[[article]]`` list and its ``[[feed]]`` list, when present, *replace* the
packaged lists (SPEC §3).  Relative paths are resolved against the directory of the file that
named them; for the packaged default that is the current working directory, so that
``kzwatch run`` in a checkout writes ``warehouse/kzwatch.duckdb`` there.

Every key is declared in ``SCHEMA`` below with its type and default: an unknown key or a value of
the wrong type stops loading with a one-line error naming the key and the file.  That table is
also the reference the README documents.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_ARTICLE_ID = "beimenbetov-2021"


class ConfigError(ValueError):
    """A config problem, phrased as one line a user can act on."""


# --- Schema -------------------------------------------------------------------------------------
# section -> key -> (accepted python types, default).  ``None`` default means "optional, unset".
# Types are checked strictly (bool is not an int, an int is accepted where a float is).

_NUM = (int, float)
_STR_LIST = "list[str]"
_STR_TABLE = "table[str]"
_NUM_TABLE = "table[num]"

SCHEMA: dict[str, dict[str, tuple[Any, Any]]] = {
    "warehouse": {
        "path": (str, "warehouse/kzwatch.duckdb"),
        "analyst_copy": (str, None),  # default: <path stem>-analyst.duckdb beside the warehouse
        "lock_wait_s": (_NUM, 120.0),  # how long a second cycle waits for the write lock
        "backup_before_migrate": (bool, True),
    },
    "fetch": {
        "user_agent": (str, "kzwatch/0.1 (+https://github.com/kzwatch/kzwatch; citation checker)"),
        "per_host_delay_s": (_NUM, 3.0),
        "timeout_s": (_NUM, 20.0),
        "connect_timeout_s": (_NUM, 10.0),
        "max_body_bytes": (int, 10_000_000),
        "max_redirects": (int, 10),
        "max_parallel_hosts": (int, 8),
        "respect_robots": (bool, True),
        "retries": (int, 1),
        "host_failure_limit": (int, 3),  # consecutive transport failures before a host is given up this cycle
        "canary_urls": (_STR_LIST, []),
        "allow_private_hosts": (_STR_LIST, []),
        # Static name -> address map consulted before DNS (like curl --resolve); for staging and
        # test rigs.  Addresses found here still pass the SSRF guard.
        "resolve": (_STR_TABLE, {}),
    },
    "health": {
        "dead_after_strikes": (int, 3),
        "strike_spacing_hours": (_NUM, 72.0),
        "recheck_hours": (_NUM_TABLE, {}),  # per state; unset states use kzwatch.verdict defaults
        "soft404_probe": (bool, True),
    },
    "archive": {
        "enabled": (bool, True),
        "availability_endpoint": (str, "https://archive.org/wayback/available"),
        "cdx_endpoint": (str, "https://web.archive.org/cdx/search/cdx"),
        "timegate_endpoints": (_STR_LIST, ["https://web.archive.org/web/"]),
        "max_per_minute": (int, 20),
        # baseline each citation on the capture closest to its accessed date (else first live)
        "baseline": (bool, True),
    },
    "drift": {},  # keys are the fields of kzwatch.drift.DriftSettings (checked at load)
    "relevance": {
        "threshold": (_NUM, None),  # default: kzwatch.relevance's documented default
        "fetch_item_pages": (bool, True),
        "max_items_per_feed": (int, 200),
    },
    "digest": {
        "title": (str, "kzwatch digest"),
        "reminder_days": (_NUM, 7.0),
        "max_bytes": (int, 1_000_000),
    },
    "delivery": {},  # sub-tables email / webhook / file, see _DELIVERY
    "analyst": {},
    # Where link-health page fetches run (README "Scale-out"); see kzwatch.fanout.
    "check": {  # the check cycle's batches and outage policy (kzwatch.cycles.check.CheckSettings)
        "batch_rows": (int, 50), "batch_seconds": (_NUM, 10.0), "session_seconds": (_NUM, 30.0),
        "canary_recheck_s": (_NUM, 30.0), "mass_failure_min_hosts": (int, 5), "mass_failure_share": (_NUM, 0.8),
    },
    "scale": {
        "runner": (str, "local"),  # one of SCALE_RUNNERS; "local" is one process, no fan-out
        "workers": (int, 4),  # shards (and Dask workers for a LocalCluster, or threads)
        "dask_address": (str, ""),  # an existing Dask scheduler instead of a LocalCluster
    },
}
SCALE_RUNNERS = ("local", "threads", "dask")

_DELIVERY: dict[str, dict[str, tuple[Any, Any]]] = {
    "email": {
        "host": (str, "localhost"),
        "port": (int, 587),
        "starttls": (bool, True),
        "ssl": (bool, False),
        "sender": (str, "kzwatch@localhost"),
        "recipients": (_STR_LIST, []),
        "username_env": (str, "KZWATCH_SMTP_USER"),
        "password_env": (str, "KZWATCH_SMTP_PASSWORD"),
        "secret_block": (str, None),
        "timeout_s": (_NUM, 30.0),
        "ca_file": (str, None),
        "subject_prefix": (str, "[kzwatch]"),
    },
    "webhook": {
        "url": (str, None),
        "url_env": (str, "KZWATCH_WEBHOOK_URL"),
        "kind": (str, "slack"),
        "timeout_s": (_NUM, 15.0),
    },
    "file": {"dir": (str, "warehouse/digests")},
}

_ARTICLE_KEYS: dict[str, tuple[Any, Any]] = {
    "id": (str, None),
    "title": (str, None),
    "citations": (str, None),
    "claims": (str, None),
}

_FEED_KEYS: dict[str, tuple[Any, Any]] = {
    "url": (str, None),
    "kind": (str, "rss"),
    "outlet": (str, ""),
    "selector": (str, None),
    "date_selector": (str, None),
    "lang": (str, None),
    "enabled": (bool, True),
    "note": (str, ""),
}
FEED_KINDS = ("rss", "listing", "sitemap", "wp-json")


# --- Typed result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleConfig:
    id: str
    title: str | None = None
    citations: Path | None = None  # None: the packaged corpus (default article only)
    claims: Path | None = None


@dataclass(frozen=True)
class FeedConfig:
    url: str
    kind: str = "rss"
    outlet: str = ""
    selector: str | None = None
    date_selector: str | None = None
    lang: str | None = None
    enabled: bool = True
    note: str = ""


@dataclass(frozen=True)
class Config:
    source: str  # where it came from, for messages
    warehouse_path: Path
    analyst_copy_path: Path
    articles: tuple[ArticleConfig, ...]
    feeds: tuple[FeedConfig, ...]
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)  # validated, defaults filled
    base_dir: Path = Path(".")

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})

    @property
    def fetch(self) -> dict[str, Any]:
        return self.sections["fetch"]

    @property
    def health(self) -> dict[str, Any]:
        return self.sections["health"]


# --- Loading ------------------------------------------------------------------------------------


def packaged_text(name: str) -> str:
    """Text of a file shipped in ``kzwatch/data``."""
    return resources.files("kzwatch.data").joinpath(name).read_text(encoding="utf-8")


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    warehouse: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """Load the effective config (SPEC §3 precedence) and validate it."""
    env = dict(os.environ) if env is None else env
    cwd = cwd or Path.cwd()
    default = _parse(packaged_text("default.toml"), "packaged default config")
    default.setdefault("feed", _parse(packaged_text("feeds.toml"), "packaged feeds.toml").get("feed", []))

    chosen = path or env.get("KZWATCH_CONFIG") or None
    if chosen:
        cfg_path = Path(chosen).expanduser()
        if not cfg_path.is_absolute():
            cfg_path = cwd / cfg_path
        try:
            text = cfg_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{cfg_path}: cannot read config: {exc.strerror or exc}") from None
        user = _parse(text, str(cfg_path))
        merged = _overlay(default, user)
        source, base_dir = str(cfg_path), cfg_path.parent
    else:
        merged, source, base_dir = default, "packaged default config", cwd
    return _build(merged, source=source, base_dir=base_dir, cwd=cwd,
                  warehouse_override=warehouse or env.get("KZWATCH_WAREHOUSE") or None)


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None


def _overlay(default: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """User keys win; tables merge one level deep; the article and feed lists replace."""
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in default.items()}
    for key, value in user.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            inner = dict(merged[key])
            inner.update(value)
            merged[key] = inner
        else:
            merged[key] = value
    return merged


def _build(raw: dict[str, Any], *, source: str, base_dir: Path, cwd: Path,
           warehouse_override: str | None) -> Config:
    for key in raw:
        if key not in SCHEMA and key not in ("article", "feed"):
            raise ConfigError(f"{source}: unknown key '{key}'")
    sections: dict[str, dict[str, Any]] = {}
    for name, keys in SCHEMA.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: '{name}' must be a table")
        if name == "delivery":
            sections[name] = _check_delivery(table, source)
        elif name == "drift":
            sections[name] = _check_drift(table, source)
        elif name == "analyst":
            sections[name] = dict(table)
        else:
            sections[name] = _check_table(table, keys, f"{name}", source)

    wh = sections["warehouse"]
    warehouse_path = _resolve(warehouse_override, cwd) if warehouse_override else _resolve(wh["path"], base_dir)
    if wh["analyst_copy"] and not warehouse_override:
        analyst = _resolve(wh["analyst_copy"], base_dir)
    else:
        analyst = warehouse_path.with_name(warehouse_path.stem + "-analyst" + (warehouse_path.suffix or ".duckdb"))

    articles = tuple(_article(a, i, source, base_dir) for i, a in enumerate(_list(raw, "article", source)))
    if not articles:
        raise ConfigError(f"{source}: no [[article]] configured")
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{source}: duplicate article id in [[article]]")
    feeds = tuple(_feed(f, i, source) for i, f in enumerate(_list(raw, "feed", source)))
    _check_scale(sections["scale"], source)
    for name in ("canary_urls", "allow_private_hosts"):
        sections["fetch"][name] = list(sections["fetch"][name])
    return Config(source=source, warehouse_path=warehouse_path, analyst_copy_path=analyst,
                  articles=articles, feeds=feeds, sections=sections, base_dir=base_dir)


def _list(raw: dict[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{source}: '{key}' must be an array of tables ([[{key}]])")
    return value


def _check_table(table: dict[str, Any], keys: dict[str, tuple[Any, Any]], where: str,
                 source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in keys:
            raise ConfigError(f"{source}: unknown key '{where}.{key}'")
        out[key] = _check_type(value, keys[key][0], f"{where}.{key}", source)
    for key, (_, default) in keys.items():
        out.setdefault(key, default.copy() if isinstance(default, (list, dict)) else default)
    return out


def _check_type(value: Any, expected: Any, key: str, source: str) -> Any:
    def bad(what: str) -> ConfigError:
        return ConfigError(f"{source}: '{key}' must be {what}, not {type(value).__name__} {value!r}"[:300])

    if expected == _STR_LIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of strings")
        return list(value)
    if expected == _STR_TABLE:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise bad("a table of strings")
        return dict(value)
    if expected == _NUM_TABLE:
        if not isinstance(value, dict) or not all(
            isinstance(v, _NUM) and not isinstance(v, bool) for v in value.values()
        ):
            raise bad("a table of numbers")
        return {k: float(v) for k, v in value.items()}
    if isinstance(value, bool) and expected is not bool:
        raise bad(_type_name(expected))
    if not isinstance(value, expected):
        raise bad(_type_name(expected))
    if expected == _NUM:
        return float(value)
    return value


def _type_name(expected: Any) -> str:
    if expected == _NUM:
        return "a number"
    return {str: "a string", int: "an integer", bool: "true or false"}.get(expected, str(expected))


def _check_delivery(table: dict[str, Any], source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for channel, value in table.items():
        if channel not in _DELIVERY:
            raise ConfigError(f"{source}: unknown key 'delivery.{channel}' (email, webhook or file)")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: 'delivery.{channel}' must be a table")
        out[channel] = _check_table(value, _DELIVERY[channel], f"delivery.{channel}", source)
    return out


def _check_drift(table: dict[str, Any], source: str) -> dict[str, Any]:
    from dataclasses import fields

    from kzwatch.drift import DriftSettings

    known = {f.name: f for f in fields(DriftSettings)}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{source}: unknown key 'drift.{key}'")
        if isinstance(value, bool) or not isinstance(value, _NUM):
            raise ConfigError(f"{source}: 'drift.{key}' must be a number, not {value!r}")
    return dict(table)


def _check_scale(scale: dict[str, Any], source: str) -> None:
    runner = scale["runner"]
    if runner not in SCALE_RUNNERS:
        raise ConfigError(f"{source}: 'scale.runner' must be one of {', '.join(SCALE_RUNNERS)}, not {runner!r}")
    if scale["workers"] < 1:
        raise ConfigError(f"{source}: 'scale.workers' must be at least 1, not {scale['workers']}")
    if scale["dask_address"] and runner != "dask":
        raise ConfigError(f"{source}: 'scale.dask_address' is set but 'scale.runner' is {runner!r}; "
                          "set runner = \"dask\" to use it")


def _article(raw: dict[str, Any], index: int, source: str, base_dir: Path) -> ArticleConfig:
    where = f"article[{index}]"
    table = _check_table(raw, _ARTICLE_KEYS, where, source)
    if not table["id"]:
        raise ConfigError(f"{source}: '{where}.id' is required")
    citations = _resolve(table["citations"], base_dir) if table["citations"] else None
    claims = _resolve(table["claims"], base_dir) if table["claims"] else None
    if citations is None and table["id"] != DEFAULT_ARTICLE_ID:
        raise ConfigError(f"{source}: '{where}.citations' is required for article '{table['id']}'")
    return ArticleConfig(id=table["id"], title=table["title"], citations=citations, claims=claims)


def _feed(raw: dict[str, Any], index: int, source: str) -> FeedConfig:
    where = f"feed[{index}]"
    table = _check_table(raw, _FEED_KEYS, where, source)
    if not table["url"]:
        raise ConfigError(f"{source}: '{where}.url' is required")
    if table["kind"] not in FEED_KINDS:
        raise ConfigError(f"{source}: '{where}.kind' must be one of {', '.join(FEED_KINDS)}, not {table['kind']!r}")
    if table["kind"] == "listing" and not table["selector"]:
        raise ConfigError(f"{source}: '{where}.selector' is required for a listing page")
    return FeedConfig(**table)


def _resolve(value: str, base: Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)
