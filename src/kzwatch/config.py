"""Configuration: TOML in, typed frozen objects out (SPEC §3).

Where the config comes from, in order: ``--config PATH``, ``$KZWATCH_CONFIG``, else the packaged
default (``kzwatch/data/default.toml``).  A user config is laid over the packaged default key by
key, except that its ``[[article]]`` list and its ``[[feed]]`` list, when present, *replace* the
packaged lists (SPEC §3).  Relative paths are resolved against the directory of the file that
named them; for the packaged default that is the current working directory, so that
``kzwatch run`` in a checkout writes ``warehouse/kzwatch.duckdb`` there.

Each ``[section]`` is the typed settings class of the component that reads it (see
:func:`section_classes`); the class's fields are the keys and its defaults the only defaults.
An unknown key or a value of the wrong type stops loading with a one-line error naming the key
and the file.  Components receive their settings object whole: nothing is copied field by field.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from kzwatch.settings import SettingsError, from_table

DEFAULT_ARTICLE_ID = "beimenbetov-2021"


class ConfigError(ValueError):
    """A config problem, phrased as one line a user can act on."""


# --- Sections -----------------------------------------------------------------------------------
# Each [section] of the TOML file is the settings class of the component that uses it; the class
# holds the only defaults (kzwatch.settings builds it, checking keys and types).  Adding a key is
# adding a field there.  [[article]] and [[feed]] are lists of the two classes below; the
# [delivery.<kind>] tables are the settings classes of the delivery channels, by kind.


def section_classes() -> dict[str, type]:
    """Section name -> settings class, for every [section] of the config file."""
    from kzwatch.alerts.digest import DigestSettings
    from kzwatch.archive import ArchiveSettings
    from kzwatch.cycles.check_settings import CheckSettings
    from kzwatch.discovery.settings import DiscoverySettings
    from kzwatch.fetch import FetchSettings
    from kzwatch.health.drift import DriftSettings
    from kzwatch.health.pages import ClassifySettings
    from kzwatch.health.verdict import HealthSettings
    from kzwatch.relevance.settings import RelevanceSettings
    from kzwatch.report import ReportSettings
    from kzwatch.shards import ScaleSettings
    from kzwatch.store import WarehouseSettings

    return {"warehouse": WarehouseSettings, "fetch": FetchSettings, "health": HealthSettings,
            "classify": ClassifySettings, "archive": ArchiveSettings, "drift": DriftSettings,
            "relevance": DiscoverySettings, "digest": DigestSettings, "report": ReportSettings,
            "scale": ScaleSettings, "check": CheckSettings, "scoring": RelevanceSettings}


def channel_classes() -> dict[str, type]:
    """Delivery channel kind -> its settings class (the [delivery.<kind>] table)."""
    from kzwatch.alerts.channels import CHANNEL_SETTINGS

    return dict(CHANNEL_SETTINGS)


@dataclass(frozen=True)
class ArticleConfig:
    """One [[article]]: its id, and where its citations and claims come from."""

    id: str = ""
    title: str | None = None
    citations: Path | None = None  # None: the packaged corpus (default article only)
    claims: Path | None = None
    #: E-mail addresses that also get this article's part of each digest, alone (a maintainer
    #: who looks after some articles only); sent through the [delivery.email] server.
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedConfig:
    """One [[feed]]: a source watched for new reporting (kinds: kzwatch.discovery.sources.SOURCE_KINDS)."""

    url: str = ""
    kind: str = "rss"
    outlet: str = ""
    selector: str | None = None  # listing pages: CSS selector of item links
    date_selector: str | None = None  # listing pages: CSS selector of each item's date
    lang: str | None = None
    enabled: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        from kzwatch.discovery.sources import SOURCE_KINDS

        if not self.url:
            raise ValueError("'url' is required")
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"'kind' must be one of {', '.join(SOURCE_KINDS)}, not {self.kind!r}")
        if self.kind == "listing" and not self.selector:
            raise ValueError("'selector' is required for a listing page")


@dataclass(frozen=True)
class Config:
    """The effective configuration: paths resolved, every section a typed settings object."""

    source: str  # where it came from, for messages
    warehouse_path: Path
    analyst_copy_path: Path
    articles: tuple[ArticleConfig, ...]
    feeds: tuple[FeedConfig, ...]
    warehouse: Any
    fetch: Any  # kzwatch.fetch.FetchSettings
    health: Any  # kzwatch.health.verdict.HealthSettings
    classify: Any  # kzwatch.health.pages.ClassifySettings
    archive: Any  # kzwatch.archive.ArchiveSettings
    drift: Any  # kzwatch.health.drift.DriftSettings
    relevance: Any  # kzwatch.discovery.settings.DiscoverySettings
    digest: Any  # kzwatch.alerts.digest.DigestSettings
    report: Any  # kzwatch.report.ReportSettings
    scale: Any  # kzwatch.shards.ScaleSettings
    check: Any  # kzwatch.cycles.check_settings.CheckSettings
    scoring: Any  # kzwatch.relevance.settings.RelevanceSettings: the scorer's policy numbers
    delivery: tuple[Any, ...] = ()  # channel settings, one per [delivery.<kind>] table
    base_dir: Path = Path(".")


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
                  warehouse_override=str(warehouse or env.get("KZWATCH_WAREHOUSE") or "") or None)


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
    classes = section_classes()
    for key in raw:
        if key not in classes and key not in ("article", "feed", "delivery"):
            raise ConfigError(f"{source}: unknown key '{key}'")
    sections = {name: _settings(cls, raw.get(name, {}), name, source) for name, cls in classes.items()}

    wh = sections["warehouse"]
    warehouse_path = _resolve(warehouse_override, cwd) if warehouse_override else _resolve(wh.path, base_dir)
    if wh.analyst_copy and not warehouse_override:
        analyst = _resolve(wh.analyst_copy, base_dir)
    else:
        analyst = warehouse_path.with_name(warehouse_path.stem + "-analyst" + (warehouse_path.suffix or ".duckdb"))

    articles = tuple(_article(a, i, source, base_dir) for i, a in enumerate(_list(raw, "article", source)))
    if not articles:
        raise ConfigError(f"{source}: no [[article]] configured")
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{source}: duplicate article id in [[article]]")
    feeds = tuple(_settings(FeedConfig, f, f"feed[{i}]", source)
                  for i, f in enumerate(_list(raw, "feed", source)))
    delivery = _delivery(raw.get("delivery", {}), source, base_dir)
    if any(a.recipients for a in articles) and "email" not in {type(c).KIND for c in delivery}:
        raise ConfigError(f"{source}: '[[article]] recipients' are sent by e-mail and need a [delivery.email] table")
    return Config(source=source, warehouse_path=warehouse_path, analyst_copy_path=analyst,
                  articles=articles, feeds=feeds, **sections, delivery=delivery, base_dir=base_dir)


def _settings(cls: type, table: Any, where: str, source: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: '{where}' must be a table")
    try:
        return from_table(cls, table, where)
    except SettingsError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _list(raw: dict[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{source}: '{key}' must be an array of tables ([[{key}]])")
    return value


def _delivery(table: Any, source: str, base_dir: Path) -> tuple[Any, ...]:
    """One channel settings object per [delivery.<kind>] table, relative paths resolved."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'delivery' must be a table")
    kinds = channel_classes()
    channels = []
    for kind, sub in table.items():
        if kind not in kinds:
            raise ConfigError(f"{source}: unknown key 'delivery.{kind}' ({', '.join(kinds)})")
        channel = _settings(kinds[kind], sub, f"delivery.{kind}", source)
        for key in getattr(channel, "REQUIRED", ()):
            if not getattr(channel, key):
                raise ConfigError(f"{source}: 'delivery.{kind}.{key}' is required and empty")
        for key in getattr(channel, "PATHS", ()):
            if getattr(channel, key):
                channel = replace(channel, **{key: str(_resolve(getattr(channel, key), base_dir))})
        channels.append(channel)
    return tuple(channels)


def _article(raw: dict[str, Any], index: int, source: str, base_dir: Path) -> ArticleConfig:
    where = f"article[{index}]"
    table = _settings(ArticleConfig, raw, where, source)
    if not table.id:
        raise ConfigError(f"{source}: '{where}.id' is required")
    citations = _resolve(str(table.citations), base_dir) if table.citations else None
    claims = _resolve(str(table.claims), base_dir) if table.claims else None
    if citations is None and table.id != DEFAULT_ARTICLE_ID:
        raise ConfigError(f"{source}: '{where}.citations' is required for article '{table.id}'")
    return replace(table, citations=citations, claims=claims)


def _resolve(value: str, base: Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)
