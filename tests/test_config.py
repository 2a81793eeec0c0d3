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
    assert cfg.health.dead_after_strikes == 3


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
    assert cfg.fetch.per_host_delay_s == 0.5
    assert cfg.fetch.allow_private_hosts == ("a.test",)
    assert cfg.fetch.timeout_s == 20  # from the packaged default
    assert cfg.fetch.max_body_bytes == 10_000_000


@pytest.mark.parametrize("text, fragment", [
    ("[fetch]\ntimeout = 3\n", "unknown key 'fetch.timeout'"),
    ("[fetch]\ntimeout_s = 'slow'\n", "'fetch.timeout_s' must be a number"),
    ("[fetch]\nrespect_robots = 1\n", "'fetch.respect_robots' must be true or false"),
    ("[fetch]\ncanary_urls = 'https://x'\n", "'fetch.canary_urls' must be a list of strings"),
    ("[health]\ndead_after_strikes = true\n", "'health.dead_after_strikes' must be an integer"),
    ("[nonsense]\nx = 1\n", "unknown key 'nonsense'"),
    ("[[feed]]\nurl = 'https://x/'\nkind = 'atomic'\n", "'feed[0].kind' must be one of"),
    ("[[feed]]\nurl = 'https://x/'\nkind = 'listing'\n", "'feed[0].selector' is required"),
    ("[[feed]]\nkind = 'rss'\n", "'feed[0].url' is required"),
    ("[scale]\nrunner = 'cloud'\n", "'scale.runner' must be one of local, threads, dask"),
    ("[health]\nrecheck_hours = {zombie = 1}\n", "recheck_hours has unknown states"),
    ("[health]\nrecheck_hours = {dead = 'weekly'}\n", "'health.recheck_hours.dead' must be a number"),
    ("[delivery.file]\nformat = 'pdf'\n", "'delivery.file.format' must be one of"),
    ("[delivery.email]\nhost = 'smtp.example.org'\n", "'delivery.email.recipients' is required and empty"),
    ("[classify]\nthin_words = 'few'\n", "'classify.thin_words' must be an integer"),
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


# --- typed sections: each component's settings class is its section ----------------------------


def test_every_section_is_its_components_settings_object(tmp_path):
    from kzwatch.config import section_classes

    cfg = load_config(None, env={}, cwd=tmp_path)
    for name, cls in section_classes().items():
        assert isinstance(getattr(cfg, name), cls), name
    # the packaged default sets these; everything else is the class's own default
    assert cfg.fetch.per_host_delay_s == 3.0 and len(cfg.fetch.canary_urls) == 3
    assert cfg.health.recheck_hours == {state: 0.0 for state in cfg.health.recheck_hours}


def test_one_user_agent_default(tmp_path):
    from kzwatch.fetch import FetchSettings

    cfg = load_config(None, env={}, cwd=tmp_path)
    assert cfg.fetch.user_agent == FetchSettings().user_agent
    assert "kzwatch" in cfg.fetch.user_agent


def test_a_partial_table_changes_only_the_keys_it_names(tmp_path):
    p = write(tmp_path, "[health]\nrecheck_hours = {dead = 168}\n[drift]\nunchanged_max_hamming = 5\n")
    cfg = load_config(p, env={}, cwd=tmp_path)
    assert cfg.health.recheck_hours["dead"] == 168.0
    assert cfg.health.recheck_hours["alive"] == 0.0  # re-checked every cycle unless slowed down
    assert cfg.drift.unchanged_max_hamming == 5
    assert cfg.drift.off_topic_max_cosine == 0.12


def test_delivery_tables_become_channel_settings_with_paths_resolved(tmp_path):
    from kzwatch.alerts.channels import FileSettings, SmtpSettings

    p = write(tmp_path, """
[delivery.file]
dir = "out/digests"
format = "html"
[delivery.email]
host = "smtp.example.org"
recipients = ["a@example.org"]
""")
    cfg = load_config(p, env={}, cwd=tmp_path / "elsewhere")
    file_channel, email = cfg.delivery
    assert isinstance(file_channel, FileSettings) and isinstance(email, SmtpSettings)
    assert file_channel.format == "html"  # was dropped between config and channel before
    assert file_channel.dir == str(tmp_path / "out" / "digests")
    assert email.recipients == ("a@example.org",) and email.port == 587


def test_listing_date_selector_reaches_the_listing_reader(tmp_path):
    """A listing's date_selector used to be validated and then never passed to the parser."""
    from kzwatch.discovery.sources import parse_source

    p = write(tmp_path, """
[[feed]]
url = "https://example.org/news/"
kind = "listing"
selector = "li a.title"
date_selector = ".when"
""")
    (feed,) = load_config(p, env={}, cwd=tmp_path).feeds
    page = (b'<html><body><ul><li><a class="title" href="/news/1">Majilis seats</a>'
            b'<span class="when">17.01.2021</span></li></ul></body></html>')
    (item,) = parse_source(page, feed, url=feed.url, content_type="text/html; charset=utf-8").items
    assert item.url == "https://example.org/news/1"
    assert item.published_at is not None and item.published_at.date().isoformat() in ("2021-01-16", "2021-01-17")


def test_readme_documents_every_config_key():
    """The README's configuration reference lists every key of every section, so the two
    cannot drift apart again."""
    import re

    from kzwatch.config import channel_classes, section_classes
    from kzwatch.settings import config_keys

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("## Configure"):]
    block = block[:block.index("\n## ", 4)]
    missing = []
    tables = {**section_classes(), **{f"delivery.{k}": c for k, c in channel_classes().items()}}
    for name, cls in tables.items():
        header = re.search(rf"^\[{re.escape(name)}\]", block, re.M)
        if header is None:
            missing.append(f"[{name}]")
            continue
        body = block[header.start():]
        nxt = re.search(r"\n\[", body[1:])
        body = body[: nxt.start() + 1] if nxt else body
        missing += [f"{name}.{key}" for key in config_keys(cls) if not re.search(rf"^#?\s*{key}\s*=", body, re.M)]
    assert not missing, f"README configuration reference lacks: {missing}"


def test_every_package_is_in_the_distribution():
    """pyproject lists packages by name: a new sub-package left out would vanish from a wheel."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root / "src").parts) for p in (root / "src").rglob("__init__.py")}
    assert found - listed == set(), f"add to pyproject [tool.setuptools] packages: {sorted(found - listed)}"
