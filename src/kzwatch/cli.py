"""The ``kzwatch`` command line (SPEC §2).

Each cycle command runs the same Prefect flow a deployment runs, in Prefect's ephemeral mode (no
server needed; ~10–15 s of start-up).  ``KZWATCH_PREFECT=0`` runs the same cycle code without
Prefect — for cron fallbacks on a machine without Prefect's API, and for fast tests.

Errors a user can fix (bad config, bad ``--as-of``, a busy warehouse) print one line on stderr
and exit 2; a cycle in which some sources failed still exits 0 and records the failures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb

from kzwatch.config import Config, ConfigError, load_config
from kzwatch.cycles.common import parse_as_of
from kzwatch.store import WarehouseError

EXIT_USAGE = 2
EXIT_STORAGE = 74  # sysexits EX_IOERR


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def _use_prefect() -> bool:
    return os.environ.get("KZWATCH_PREFECT", "1").strip().lower() not in ("0", "false", "no", "off")


def prefect_defaults() -> None:
    """Settings that make Prefect's ephemeral mode dependable on a small machine.

    The temporary API server migrates a fresh SQLite database on first use, which can take
    longer than Prefect's default 20 s start-up timeout on two loaded cores; telemetry adds
    harmless but alarming "database is locked" tracebacks.  Explicit settings always win.
    """
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "kzwatch")  # our logs in the run logs too


# --- command implementations --------------------------------------------------------------------


def cmd_check(args, config: Config, as_of: datetime) -> int:
    summary = _run_cycle("check", args, config, as_of)
    print(_summary_line("check", summary))
    return 0


# archive phase (issue 13): also run by `check`/`run` after the verdicts; this runs it alone
def cmd_archive(args, config: Config, as_of: datetime) -> int:
    summary = _run_cycle("archive", args, config, as_of)
    print(_summary_line("archive", summary))
    return 0


def cmd_discover(args, config: Config, as_of: datetime) -> int:
    summary = _run_cycle("discover", args, config, as_of)
    print(_summary_line("discover", summary))
    return 0


def cmd_run(args, config: Config, as_of: datetime) -> int:
    summary = _run_cycle("run", args, config, as_of)
    for part in ("check", "discover"):
        print(_summary_line(part, summary[part]))
    digest = summary["digest"]
    if digest.get("text"):
        print(digest["text"])
    print(_summary_line("digest", {k: v for k, v in digest.items() if k not in ("text", "markdown")}))
    return 0


def cmd_digest(args, config: Config, as_of: datetime) -> int:
    from kzwatch.cycles.digest import run_digest_cycle

    since = parse_as_of(args.since) if args.since else None
    if args.deliver:

        if not config.delivery:  # say so before starting a flow run
            raise UserError(f"{config.source}: --deliver needs a [delivery.email], [delivery.webhook] "
                            "or [delivery.file] table")
        result = _run_cycle("digest", args, config, as_of, since=since, fmt=args.format)
    else:
        result = run_digest_cycle(config, as_of, since=since, fmt=args.format, deliver=False)
    text = result.get("text")
    print(text if text else "Nothing new since the last digest.")
    if args.deliver:
        print(_summary_line("digest", {k: v for k, v in result.items() if k not in ("text", "markdown")}), file=sys.stderr)
        if result.get("delivery_failed"):
            return 1
    return 0


def cmd_status(args, config: Config, as_of: datetime) -> int:
    from kzwatch.status import render_status

    print(render_status(config, citation=args.citation, as_of=as_of, article=args.article))
    return 0


def cmd_demo(args, config: Config | None, as_of: datetime | None) -> int:
    from kzwatch.sim.demo import run_demo

    return run_demo(days=args.days, out=args.out)


# --- corpus: reading any article (issue 14) ------------------------------------------------------


def _read_article(spec: str, article_id: str, config_path: str | None = None):
    """(document, parse result, name) of a file or URL; one-line errors as UserError."""
    from kzwatch.corpus.formats import InputError, parse_document, read_document
    from kzwatch.corpus.source import is_url, load_source

    try:
        config = None
        if is_url(spec):
            path = config_path or os.environ.get("KZWATCH_CONFIG")
            config = load_config(path) if path and Path(path).expanduser().exists() else load_config(None, env={})
        data, name = load_source(spec, config)
        if not data.strip():
            raise UserError(f"{name}: the input is empty")
        doc = read_document(data, name, article_id)
        return doc, parse_document(doc, article_id), name
    except InputError as exc:
        raise UserError(str(exc)) from None


def _print_report(doc, result, name: str, out=None) -> None:
    from kzwatch.corpus.show import render_notes, render_summary, zero_reason

    out = out or sys.stdout

    for line in render_notes(result) + [""] + render_summary(result.summary, doc.kind) + result.warnings:
        print(line, file=out)
    if result.summary.citations == 0:
        raise UserError(zero_reason(doc, result, name))


def cmd_corpus(args, config: Config | None, as_of: datetime | None) -> int:
    from kzwatch.corpus.align import reconcile
    from kzwatch.corpus.csvio import citations_to_csv

    doc, result, name = _read_article(args.article, args.article_id, args.config)
    _print_report(doc, result, name, out=sys.stderr if args.out == "-" else sys.stdout)
    csv_text = citations_to_csv(result.citations, printed=True, short_forms=args.short_forms)
    if args.out == "-":
        sys.stdout.write(csv_text)
    elif args.out:
        Path(args.out).write_text(csv_text, encoding="utf-8")
        print(f"wrote {result.summary.citations} citations to {args.out}")
    if args.variant:
        _, other, _ = _read_article(args.variant, args.article_id, args.config)
        for d in reconcile(result.citations, other.citations):
            print(f"disagreement: fn {d.footnote_clean} vs {d.footnote_variant} {d.field}: "
                  f"{d.clean_value!r} != {d.variant_value!r} {d.note}", file=sys.stderr)
    if args.strict and result.summary.unresolved:
        print(f"kzwatch: --strict: {result.summary.unresolved} unresolved note(s) (listed above)", file=sys.stderr)
        return 1
    return 0


def cmd_add(args, config: Config | None, as_of: datetime | None) -> int:
    from kzwatch.corpus import load_article
    from kzwatch.corpus.add import add_article, article_id_for, default_config_path
    from kzwatch.corpus.csvio import citations_to_csv

    target = Path(args.config).expanduser() if args.config else default_config_path()
    provisional = args.id or "article"
    doc, result, name = _read_article(args.article, provisional, str(target))
    _print_report(doc, result, name)
    article_id = args.id or article_id_for(doc.title, name)
    citations = [replace(c, article_id=article_id) for c in result.citations]
    claims = Path(args.claims).expanduser() if args.claims else None
    if claims is not None and not claims.is_file():
        raise UserError(f"{claims}: no such claims file")
    added = add_article(target, article_id, args.title or doc.title, citations_to_csv(citations, printed=True),
                        claims, force=args.force)
    new_config = load_config(added.config_path)  # what `kzwatch check` will read: must load
    load_article(next(a for a in new_config.articles if a.id == article_id))
    verb = "replaced" if added.replaced else "added"
    print(f"{verb} article {article_id!r}: {result.summary.citations} citations -> {added.citations_path}")
    print(f"config: {added.config_path}{' (created)' if added.created_config else ''}")
    default = default_config_path()
    if added.config_path.resolve() != default.resolve() or not os.environ.get("KZWATCH_CONFIG"):
        print(f"next: KZWATCH_CONFIG={added.config_path} kzwatch check"
              f"   (or: kzwatch check --config {added.config_path})")
    return 0


def cmd_claims(args, config: Config | None, as_of: datetime | None) -> int:
    from kzwatch.corpus.claims_draft import body_only, candidates, render_claims
    from kzwatch.corpus.notes import note_label

    article_id = args.id or "article"
    doc, result, name = _read_article(args.article, article_id, args.config)
    if not doc.text.strip():
        raise UserError(f"{name}: no running text to draft claims from (read as {doc.kind})")
    labels = {note_label(n): n.number for n in result.notes}
    drafted = candidates(body_only(doc.text, [n.text for n in result.notes]), labels)
    if not drafted:
        raise UserError(f"{name}: no sentence with a note marker and a figure, date or name; write the claims by hand "
                        "(README: \"Claims file\")")
    text = render_claims(article_id, drafted, name)
    if args.out and args.out != "-":
        out = Path(args.out)
        if out.exists() and not args.force:
            raise UserError(f"{out}: exists; pass --force to overwrite it")
        out.write_text(text, encoding="utf-8")
        print(f"wrote {len(drafted)} draft claims to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_alerts(args, config: Config, as_of: datetime) -> int:
    from kzwatch.cycles.alerts import alert_action, list_alerts

    if args.action in (None, "list"):
        print(list_alerts(config, as_of, show_all=args.all))
        return 0
    if not args.ids:
        raise UserError(f"alerts {args.action}: give one or more alert ids")
    until = parse_as_of(args.until) if args.until else None
    if args.action == "snooze" and until is None:
        raise UserError("alerts snooze: --until TIMESTAMP is required")
    changed = alert_action(config, args.action, args.ids, as_of, until=until)
    print(f"{args.action}: {changed} alert(s) changed")
    return 0 if changed else 1


def cmd_query(args, config: Config, as_of: datetime) -> int:
    from kzwatch.store.analyst import parse_at, run_query

    print(run_query(config, args.sql, fmt=args.format, at=parse_at(args.at)))
    return 0


def cmd_export(args, config: Config, as_of: datetime) -> int:
    from kzwatch.store import analyst

    if not (args.parquet or args.warc):
        raise UserError("export: give --parquet DIR and/or --warc DIR")
    if args.parquet:
        manifest = analyst.export_parquet(config, Path(args.parquet))
        print(f"exported {len(manifest['objects'])} tables and views to {args.parquet}")
    if args.warc:
        paths = analyst.export_warc(config, Path(args.warc))
        print(f"wrote {len(paths)} WARC file(s) to {args.warc}")
    return 0


# --- relevance: explain one item, record maintainers' corrections (issue 15) ---------------------


def cmd_explain(args, config: Config, as_of: datetime) -> int:
    from kzwatch.relevance.commands import explain

    print(explain(config, args.url, as_of))
    return 0


def cmd_feedback(args, config: Config, as_of: datetime) -> int:
    from kzwatch.relevance import commands

    if args.export:
        print(commands.export_feedback(config, Path(args.export), with_text=args.with_text))
        return 0
    if not (args.url and args.claim and args.label):
        raise UserError("feedback: give ITEM_URL --claim ID --label right|wrong, or --export FILE")
    print(commands.record_feedback(config, args.url, args.claim, args.label, as_of,
                                   stance=args.stance, note=args.note or "", article=args.article))
    return 0


def cmd_report(args, config: Config, as_of: datetime) -> int:
    from kzwatch.cycles.report import write_report

    out = write_report(config, Path(args.out), as_of)
    print(f"wrote {out}")
    return 0


# --- running cycles -------------------------------------------------------------------------------


def _run_cycle(kind: str, args, config: Config, as_of: datetime, **extra):
    """Run one cycle through its Prefect flow (default) or directly (KZWATCH_PREFECT=0)."""
    if _use_prefect():
        from kzwatch_flows import cycle as flows

        runner = {"check": flows.check_links, "discover": flows.discover, "digest": flows.digest,
                  "run": flows.full_cycle, "archive": flows.archive}[kind]
        params = {"config": args.config, "warehouse": args.warehouse, "as_of": as_of.isoformat()}
        if kind == "digest":
            params.update(since=extra["since"].isoformat() if extra.get("since") else None,
                          fmt=extra.get("fmt", "md"), deliver=True)
        return runner(**params)
    from kzwatch.cycles import direct

    return direct.run(kind, config, as_of, **extra)


def _summary_line(kind: str, summary) -> str:
    data = summary if isinstance(summary, dict) else summary.as_dict()
    parts = [f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in data.items() if k != "as_of"]
    return f"{kind}: " + " ".join(parts)


# --- argument parsing -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="config TOML (else $KZWATCH_CONFIG, else the packaged default)")
    common.add_argument("--warehouse", help="warehouse DuckDB file (else $KZWATCH_WAREHOUSE, else the config's)")
    common.add_argument("--as-of", dest="as_of", help="behave as if run at this ISO 8601 time")

    parser = argparse.ArgumentParser(prog="kzwatch", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"kzwatch {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text, needs_config=True):
        p = sub.add_parser(name, parents=[common] if needs_config else [], help=help_text, description=help_text)
        p.set_defaults(func=func, needs_config=needs_config)
        return p

    add("run", cmd_run, "one full cycle: check citations, discover reporting, build (and with delivery configured, send) the digest")
    add("check", cmd_check, "the link-health cycle, then the archive phase beside its verdicts")
    add("archive", cmd_archive, "the archive phase only: archived baselines and copies, within [archive] budget_s")
    add("discover", cmd_discover, "the discovery cycle only")
    p = add("digest", cmd_digest, "print the digest of what is new since the last one")
    p.add_argument("--since", help="include events since this ISO 8601 time (sent or not)")
    p.add_argument("--format", choices=("md", "html", "json", "text"), default="md")
    p.add_argument("--deliver", action="store_true", help="also send it through the configured channels and mark its events sent")
    p = add("status", cmd_status, "a human summary of the warehouse: per article, per claim, per citation")
    p.add_argument("--citation", type=int, metavar="N", help="details of footnote N: checks, drift, diff")
    p.add_argument("--article", metavar="ID", help="only this article (an archive lists every article by default)")
    p = add("demo", cmd_demo, "a full cycle against a built-in simulated web on loopback, no internet needed", needs_config=False)
    p.add_argument("--days", type=int, default=8, help="simulated days to run (default 8)")
    p.add_argument("--out", help="directory for the demo warehouse and digests (default: a new temporary directory, kept)")
    _add_corpus_commands(add)
    p = add("alerts", cmd_alerts, "list open alerts, or ack / snooze / resolve them")
    p.add_argument("action", nargs="?", choices=("list", "ack", "snooze", "resolve"))
    p.add_argument("ids", nargs="*", help="alert (event) ids, or unique prefixes")
    p.add_argument("--until", help="snooze until this ISO 8601 time")
    p.add_argument("--all", action="store_true", help="list resolved and acknowledged alerts too")
    p = add("query", cmd_query, "run read-only SQL on the analyst copy (or the lake)")
    p.add_argument("sql")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--at", metavar="SNAPSHOT|TIMESTAMP", help="ducklake: read the lake as it was then")
    p = add("export", cmd_export, "export every view and table as Parquet with a manifest, or the captures as WARC")
    p.add_argument("--parquet", metavar="DIR")
    p.add_argument("--warc", metavar="DIR")
    p = add("report", cmd_report, "write one self-contained HTML report")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p = add("explain", cmd_explain, "show how one item scores against every claim (from the warehouse, else fetched)")
    p.add_argument("url", metavar="ITEM_URL")
    p = add("feedback", cmd_feedback, "record a maintainer's correction of a match, or export corrections as labelled data")
    p.add_argument("url", nargs="?", metavar="ITEM_URL")
    p.add_argument("--claim", help="claim id, e.g. C5")
    p.add_argument("--label", choices=("right", "wrong"))
    p.add_argument("--stance", choices=("confirms", "updates", "contradicts", "mentions"), help="the right stance (with --label right)")
    p.add_argument("--note", help="a short note kept with the correction")
    p.add_argument("--article", help="article id, when several articles share the claim id")
    p.add_argument("--export", metavar="FILE.toml", help="write all corrections as labelled items (labelled_items.toml format)")
    p.add_argument("--with-text", action="store_true", help="include item text in the export (local evaluation only: never commit it)")
    return parser


def _add_corpus_commands(add) -> None:  # type: ignore[no-untyped-def]
    """``corpus``, ``add`` and ``claims draft`` (issue 14)."""
    p = add("corpus", cmd_corpus, "read an article's citations (text, PDF, HTML, DOCX, BibTeX, CSL-JSON, RIS; "
            "file or URL) and say what was found", needs_config=False)
    p.add_argument("article", help="article file or http(s) URL; the format is detected from the content")
    p.add_argument("--out", help="write the citations CSV here ('-': stdout, the report then goes to stderr)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when any note is unresolved (citation-like without URL, or a body marker without note)")
    p.add_argument("--short-forms", action="store_true",
                   help="also write rows for short forms and Ibid. (the URL of the citation they abbreviate)")
    p.add_argument("--article-id", default="beimenbetov-2021")
    p.add_argument("--variant", help="a second OCR of the same article: report where the two disagree")
    p.add_argument("--config", help="config whose [fetch] settings fetch a URL (else $KZWATCH_CONFIG)")
    p = add("add", cmd_add, "add an article (file or URL) to your config: parse it, write its citations CSV and "
            "[[article]] entry", needs_config=False)
    p.add_argument("article", help="article file or http(s) URL")
    p.add_argument("--id", help="article id (default: from the title or file name)")
    p.add_argument("--title", help="article title (default: the document's)")
    p.add_argument("--claims", metavar="FILE", help="claims TOML for the article (README: Claims file)")
    p.add_argument("--force", action="store_true", help="replace an article already configured under this id")
    p.add_argument("--config", help="config to add to (default: $KZWATCH_CONFIG, else "
                   "~/.config/kzwatch/config.toml; created if absent)")
    p = add("claims", cmd_claims, "draft a starter claims TOML from an article (sentences with figures, names, "
            "dates near note markers)", needs_config=False)
    p.add_argument("action", choices=("draft",))
    p.add_argument("article", help="article file or http(s) URL")
    p.add_argument("--id", help="article id written into the file (default: 'article')")
    p.add_argument("--out", help="write the TOML here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("--config", help="config whose [fetch] settings fetch a URL")


def _version() -> str:
    from kzwatch import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    prefect_defaults()
    args = build_parser().parse_args(argv)
    try:
        config = as_of = None
        if args.needs_config:
            as_of = parse_as_of(args.as_of)
            config = load_config(args.config, warehouse=args.warehouse)
        return args.func(args, config, as_of)
    except (ConfigError, WarehouseError, UserError, ValueError) as exc:
        print(f"kzwatch: {exc}".splitlines()[0], file=sys.stderr)
        return EXIT_USAGE
    except (OSError, duckdb.IOException, duckdb.FatalException, duckdb.TransactionException) as exc:
        if isinstance(exc, duckdb.TransactionException) and "Could not write" not in str(exc):
            raise
        # Disk full, file too large, an I/O error: a storage failure, told in one line.  Each
        # write is its own transaction, so what failed was not committed (docs/RELIABILITY.md).
        print(f"kzwatch: storage failure: {exc}".splitlines()[0], file=sys.stderr)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        print("kzwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
