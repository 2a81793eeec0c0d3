"""Config loading per SPEC §3: precedence, overlay rules, relative paths, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzwatch.config import ConfigError, load_config


def write(tmp_path: Path, text: str, name: str = "kzwatch.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_packaged_default_has_the_default_article_and_feeds(tmp_path):
    cfg = load_config(None, env={}, cwd=tmp_path)
    assert [a.id for a in cfg.articles] == ["beimenbetov-2021"]
    assert cfg.articles[0].citations is None  # packaged corpus
    assert len(cfg.feeds) >= 5
    assert cfg.warehouse_path == tmp_path / "warehouse" / "kzwatch.duckdb"
    assert cfg.analyst_copy_path.name == "kzwatch-analyst.duckdb"
    assert cfg.health["dead_after_strikes"] == 3


def test_env_config_and_relative_paths_resolve_against_the_config_file(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    p = write(sub, """
[warehouse]
path = "data/w.duckdb"
[[article]]
id = "other"
citations = "cites.csv"
claims = "claims.toml"
""")
    cfg = load_config(None, env={"KZWATCH_CONFIG": str(p)}, cwd=tmp_path)
    assert cfg.warehouse_path == sub / "data" / "w.duckdb"
    assert cfg.articles[0].citations == sub / "cites.csv"
    assert cfg.articles[0].claims == sub / "claims.toml"
    # the user's [[article]] list replaced the packaged one; its feeds were not given: packaged stay
    assert [a.id for a in cfg.articles] == ["other"]
    assert len(cfg.feeds) >= 5


def test_explicit_config_beats_env_and_warehouse_override_beats_both(tmp_path):
    a = write(tmp_path, '[warehouse]\npath = "a.duckdb"\n', "a.toml")
    b = write(tmp_path, '[warehouse]\npath = "b.duckdb"\n', "b.toml")
    assert load_config(a, env={"KZWATCH_CONFIG": str(b)}, cwd=tmp_path).warehouse_path == tmp_path / "a.duckdb"
    cfg = load_config(a, env={"KZWATCH_WAREHOUSE": "x/env.duckdb"}, cwd=tmp_path)
    assert cfg.warehouse_path == tmp_path / "x" / "env.duckdb"
    cfg = load_config(a, warehouse="cli.duckdb", env={"KZWATCH_WAREHOUSE": "env.duckdb"}, cwd=tmp_path)
    assert cfg.warehouse_path == tmp_path / "cli.duckdb"
    assert cfg.analyst_copy_path == tmp_path / "cli-analyst.duckdb"


def test_user_feeds_replace_the_packaged_list(tmp_path):
    p = write(tmp_path, """
[[feed]]
url = "https://example.org/feed/"
outlet = "Example"
[[feed]]
url = "https://example.org/news/"
kind = "listing"
selector = "a.news"
""")
    cfg = load_config(p, env={}, cwd=tmp_path)
    assert [f.url for f in cfg.feeds] == ["https://example.org/feed/", "https://example.org/news/"]
    assert cfg.feeds[1].selector == "a.news"


def test_scalar_sections_overlay_key_by_key(tmp_path):
    p = write(tmp_path, "[fetch]\nper_host_delay_s = 0.5\nallow_private_hosts = ['a.test']\n")
    cfg = load_config(p, env={}, cwd=tmp_path)
    assert cfg.fetch["per_host_delay_s"] == 0.5
    assert cfg.fetch["allow_private_hosts"] == ["a.test"]
    assert cfg.fetch["timeout_s"] == 20  # from the packaged default
    assert cfg.fetch["max_body_bytes"] == 10_000_000


@pytest.mark.parametrize("text, fragment", [
    ("[fetch]\ntimeout = 3\n", "unknown key 'fetch.timeout'"),
    ("[fetch]\ntimeout_s = 'slow'\n", "'fetch.timeout_s' must be a number"),
    ("[fetch]\nrespect_robots = 1\n", "'fetch.respect_robots' must be true or false"),
    ("[fetch]\ncanary_urls = 'https://x'\n", "'fetch.canary_urls' must be a list of strings"),
    ("[health]\ndead_after_strikes = true\n", "'health.dead_after_strikes' must be an integer"),
    ("[nonsense]\nx = 1\n", "unknown key 'nonsense'"),
    ("[[feed]]\nurl = 'https://x/'\nkind = 'atomic'\n", "'feed[0].kind' must be one of"),
    ("[[feed]]\nurl = 'https://x/'\nkind = 'listing'\n", "'feed[0].selector' is required"),
    ("[[article]]\nid = 'mine'\n", "'article[0].citations' is required"),
    ("[[article]]\nid = 'x'\ncitations = 'c.csv'\nauthor = 'me'\n", "unknown key 'article[0].author'"),
    ("[drift]\nno_such_threshold = 0.3\n", "unknown key 'drift.no_such_threshold'"),
    ("[delivery.pigeon]\nx = 1\n", "unknown key 'delivery.pigeon'"),
    ("this is = not toml [", "not valid TOML"),
])
def test_bad_config_gives_one_line_error_naming_key_and_file(tmp_path, text, fragment):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(p, env={}, cwd=tmp_path)
    message = str(info.value)
    assert fragment in message
    assert str(p) in message
    assert "\n" not in message


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.toml", env={}, cwd=tmp_path)
