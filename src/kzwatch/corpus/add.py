"""``kzwatch add``: a new article into the user's config — citations CSV and ``[[article]]`` entry.

Where: the config file named by ``--config``, else ``$KZWATCH_CONFIG``, else
``$XDG_CONFIG_HOME/kzwatch/config.toml`` (``~/.config/kzwatch/config.toml``).  The file is
created when absent; the article's citations go to ``articles/<id>.citations.csv`` beside it.
An article id already in the config is never replaced without ``force``.

A user config's ``[[article]]`` list replaces the packaged default article (SPEC §3), so a new
config watches exactly the articles added to it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_HEADER = """\
# kzwatch config, created by `kzwatch add`.  Every key is documented in the README
# ("Configuration").  Articles listed here replace the packaged default article.
"""


@dataclass(frozen=True)
class Added:
    config_path: Path
    citations_path: Path
    article_id: str
    replaced: bool
    created_config: bool


def default_config_path(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if env.get("KZWATCH_CONFIG"):
        return Path(env["KZWATCH_CONFIG"]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]).expanduser() if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "kzwatch" / "config.toml"


def article_id_for(title: str | None, name: str) -> str:
    """A readable id: the title's first words, else the file or page name, as a slug."""
    base = title or re.sub(r"\.[A-Za-z0-9]+$", "", name.rstrip("/").rsplit("/", 1)[-1])
    words = re.findall(r"[0-9a-z]+", base.casefold())
    slug = "-".join(words[:6])[:60].strip("-")
    return slug or "article"


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _article_block(article_id: str, title: str | None, citations: str, claims: str | None) -> str:
    lines = ["[[article]]", f"id = {_toml_str(article_id)}"]
    if title:
        lines.append(f"title = {_toml_str(' '.join(title.split()))}")
    lines.append(f"citations = {_toml_str(citations)}")
    if claims:
        lines.append(f"claims = {_toml_str(claims)}")
    return "\n".join(lines) + "\n"


_BLOCK_RE = re.compile(r"(?ms)^\[\[article\]\]\s*\n.*?(?=^\[|\Z)")


def _replace_block(text: str, article_id: str, block: str) -> str:
    for match in _BLOCK_RE.finditer(text):
        data = tomllib.loads(match.group(0))
        if data["article"][0].get("id") == article_id:
            return text[: match.start()] + block + "\n" + text[match.end():].lstrip("\n")
    raise ValueError(f"article {article_id!r}: its [[article]] table could not be located to replace it")


def add_article(config_path: Path, article_id: str, title: str | None, csv_text: str,
                claims: Path | None = None, *, force: bool = False) -> Added:
    """Write the citations CSV and the ``[[article]]`` entry; never clobber without ``force``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", article_id):
        raise ValueError(f"article id {article_id!r}: use letters, digits, '.', '_' and '-' (at most 80)")
    created = not config_path.exists()
    text = "" if created else config_path.read_text(encoding="utf-8")
    try:
        existing = {a.get("id") for a in tomllib.loads(text).get("article", [])}
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{config_path}: not valid TOML ({exc}); fix it before adding articles") from None
    replaced = article_id in existing
    if replaced and not force:
        raise ValueError(f"{config_path}: article {article_id!r} is already configured; "
                         "pass --force to replace it, or --id to add it under another id")
    citations_path = config_path.parent / "articles" / f"{article_id}.citations.csv"
    block = _article_block(article_id, title, f"articles/{article_id}.citations.csv",
                           str(claims.resolve()) if claims else None)
    citations_path.parent.mkdir(parents=True, exist_ok=True)
    citations_path.write_text(csv_text, encoding="utf-8")
    if replaced:
        text = _replace_block(text, article_id, block)
    else:
        text = (text or CONFIG_HEADER).rstrip("\n") + "\n\n" + block
    tmp = config_path.with_suffix(config_path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(config_path)  # atomic: a crash leaves the old config, never half a new one
    return Added(config_path, citations_path, article_id, replaced, created)
