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
from datetime import datetime
from pathlib import Path

from kzwatch.config import Config, ConfigError, load_config
from kzwatch.cycles.common import parse_as_of
from kzwatch.store import WarehouseError

EXIT_USAGE = 2


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

    print(render_status(config, citation=args.citation, as_of=as_of))
    return 0


def cmd_demo(args, config: Config | None, as_of: datetime | None) -> int:
    from kzwatch.demo import run_demo

    return run_demo(days=args.days, out=args.out)


def cmd_corpus(args, config: Config | None, as_of: datetime | None) -> int:
    from kzwatch import citations

    source = Path(args.article)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{source}: cannot read article text: {exc.strerror or exc}") from None
    csv_text = citations.build_default_corpus(text)
    if args.out == "-":
        sys.stdout.write(csv_text)
    else:
        Path(args.out).write_text(csv_text, encoding="utf-8")
        rows = csv_text.count("\n") - 1
        print(f"wrote {rows} citations to {args.out}")
    if args.variant:
        clean = citations.parse_article(text, args.article_id)
        variant = citations.parse_article(Path(args.variant).read_text(encoding="utf-8"), args.article_id)
        for d in citations.reconcile(clean, variant):
            print(f"disagreement: fn {d.footnote_clean} vs {d.footnote_variant} {d.field}: "
                  f"{d.clean_value!r} != {d.variant_value!r} {d.note}", file=sys.stderr)
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
                  "run": flows.full_cycle}[kind]
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
    add("check", cmd_check, "the link-health cycle only")
    add("discover", cmd_discover, "the discovery cycle only")
    p = add("digest", cmd_digest, "print the digest of what is new since the last one")
    p.add_argument("--since", help="include events since this ISO 8601 time (sent or not)")
    p.add_argument("--format", choices=("md", "html", "json", "text"), default="md")
    p.add_argument("--deliver", action="store_true", help="also send it through the configured channels and mark its events sent")
    p = add("status", cmd_status, "a human summary of the warehouse: per article, per claim, per citation")
    p.add_argument("--citation", type=int, metavar="N", help="details of footnote N: checks, drift, diff")
    p = add("demo", cmd_demo, "a full cycle against a built-in simulated web on loopback, no internet needed", needs_config=False)
    p.add_argument("--days", type=int, default=8, help="simulated days to run (default 8)")
    p.add_argument("--out", help="directory for the demo warehouse and digests (default: a new temporary directory, kept)")
    p = add("corpus", cmd_corpus, "parse an article text into the citations CSV (regenerates the packaged corpus)", needs_config=False)
    p.add_argument("article", help="article text file with footnotes")
    p.add_argument("--out", default="-", help="CSV output path (default: stdout)")
    p.add_argument("--article-id", default="beimenbetov-2021")
    p.add_argument("--variant", help="a second OCR of the same article: report where the two disagree")
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
    return parser


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
    except KeyboardInterrupt:
        print("kzwatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
