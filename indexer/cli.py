"""``aiposts-index``: ingest, reindex, status and schema.

Exit codes: 0 all good; 1 something was rejected; 2 bad usage or input paths; 3 Elasticsearch
unreachable or refused the operation.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError

from indexer.config import Settings
from indexer.index import MAPPING_VERSION, Unreachable, ensure_index, mapping_version
from indexer.progress import Progress
from indexer.rejects import RejectsFile
from indexer.sources import FORMATS

EXIT_OK, EXIT_REJECTS, EXIT_USAGE, EXIT_ES = 0, 1, 2, 3


def make_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**settings.es_client_kwargs(), retry_on_timeout=True, max_retries=3)  # type: ignore[arg-type]


def check_reachable(es: Elasticsearch, settings: Settings) -> None:
    try:
        es.cluster.health(timeout="5s")
    except (ESConnectionError, TransportError) as exc:
        raise Unreachable(f"Elasticsearch at {settings.es_url} is unreachable: {exc}") from exc


def _connect(args: argparse.Namespace, settings: Settings) -> tuple[Elasticsearch, str]:
    """A client of a cluster that answers, and the alias the command works on."""
    es = make_client(settings)
    check_reachable(es, settings)
    return es, args.index or settings.index


def _rejects_path(args: argparse.Namespace) -> Path:
    """``--rejects``, else ``rejects-<UTC time>.jsonl`` here."""
    if args.rejects:
        return Path(args.rejects)
    return Path(f"rejects-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.jsonl")


def _workers(args: argparse.Namespace, settings: Settings) -> int:
    return args.workers if args.workers is not None else settings.workers


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.ingest import Ingest
    from indexer.input_size import estimate_posts

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"aiposts-index: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    es, alias = _connect(args, settings)
    index = ensure_index(es, alias, settings.shards, settings.replicas)
    found = mapping_version(es, index)
    if found is not None and found < MAPPING_VERSION:
        # new fields would be refused by the old strict mapping, post by post
        print(f"aiposts-index: {index} (behind {alias}) has mapping version {found}, this version "
              f"writes {MAPPING_VERSION}; run 'aiposts-index reindex' first (it re-analyzes the "
              "stored posts into a new index and swaps the alias)", file=sys.stderr)
        return EXIT_USAGE
    paths = [Path(p) for p in args.paths]
    total = estimate_posts(paths, args.format) if sys.stderr.isatty() else None
    progress = Progress(total)
    rejects_path = _rejects_path(args)
    with RejectsFile(rejects_path) as rejects:
        job = Ingest(
            es,
            alias,
            rejects,
            workers=_workers(args, settings),
            max_chars=settings.analysis_max_chars,
            cache_mb=settings.analysis_cache_mb,
            progress=progress,
            log=sys.stderr,
        )
        summary = job.run(paths, args.format)
    progress.finish()
    print(f"ingest into {alias}: {summary.line()}")
    if summary.rejected:
        print(f"rejects written to {rejects_path}", file=sys.stderr)
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return EXIT_REJECTS if summary.rejected else EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.reindex import reindex

    es, alias = _connect(args, settings)
    with RejectsFile(_rejects_path(args)) as rejects:
        report = reindex(
            es,
            settings,
            alias,
            rejects,
            from_source=[Path(p) for p in args.from_source] if args.from_source else None,
            fmt=args.format,
            drop_old=args.drop_old,
            workers=_workers(args, settings),
        )
    print(report.line())
    return EXIT_REJECTS if report.summary.rejected else EXIT_OK


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.status import index_status

    status = index_status(*_connect(args, settings))
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        from indexer.status import format_status

        print(format_status(status))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.schema import build_schema

    print(json.dumps(build_schema(), ensure_ascii=False, indent=2))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiposts-index",
        description="Read AI posts (aggregator pages, JSON Lines, Markdown, RSS/Atom), analyze "
        "them and write them to Elasticsearch. Settings come from AIPOSTS_* variables.",
    )
    parser.add_argument("--index", help="alias to write to (default: AIPOSTS_INDEX)")
    sub = parser.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="read files or folders and index their posts")
    ing.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive; .gz ok)")
    ing.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    ing.add_argument("--rejects", help="where to write rejected records (default rejects-<time>.jsonl)")
    ing.add_argument("--workers", type=int, help="analysis processes (default: one per core)")
    ing.add_argument("--json", action="store_true", help="also print the summary as JSON")
    ing.set_defaults(func=cmd_ingest)

    rei = sub.add_parser("reindex", help="build a new index version and swap the alias to it")
    rei.add_argument("--from-source", nargs="+", metavar="PATH", help="rebuild from files instead")
    rei.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    rei.add_argument("--drop-old", action="store_true", help="delete the previous version afterwards")
    rei.add_argument("--rejects", help="where to write rejected records")
    rei.add_argument("--workers", type=int)
    rei.set_defaults(func=cmd_reindex)

    st = sub.add_parser("status", help="alias, version, counts by language and source, last ingest")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)

    sc = sub.add_parser("schema", help="print the JSON Schema of the canonical post")
    sc.set_defaults(func=cmd_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"aiposts-index: bad AIPOSTS_* setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args, settings))
    except Unreachable as exc:
        print(f"aiposts-index: {exc}", file=sys.stderr)
        return EXIT_ES
    except (ESConnectionError, TransportError) as exc:
        print(f"aiposts-index: Elasticsearch at {settings.es_url} is unreachable: {exc}", file=sys.stderr)
        return EXIT_ES
    except ApiError as exc:
        print(f"aiposts-index: Elasticsearch refused the request: {exc}", file=sys.stderr)
        return EXIT_ES
    except KeyboardInterrupt:
        print("aiposts-index: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
