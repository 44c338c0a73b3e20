"""Bounded load tests, loopback only.

    python -m bench.load run [--url URL] [--concurrency 8] [--requests 3000] [--duration 60]
    python -m bench.load outage [--port 9290] [--concurrency 8] [--down 10]

``run`` drives the mixed workload (search, facets, export, timeline; see
``bench/load/workload.py``) against a running API at ``--url`` (a loopback address), or,
without ``--url``, against an API it starts on the indexed corpus (``--index``). It stops
after ``--requests`` requests or ``--duration`` seconds, whichever comes first, and reports
throughput, p50/p95/p99 and errors. ``outage`` stops and restarts Elasticsearch mid-test (see
``bench/load/outage.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

from bench.common import CORPUS, elasticsearch, machine, write_result
from bench.load.outage import run_outage
from bench.load.runner import run_load
from bench.load.server import api_server, require_loopback
from bench.load.stats import report
from bench.load.workload import Workload, find_timeline
from bench.relevance.run import ensure_corpus
from indexer.config import Settings


@contextlib.contextmanager
def target(url: str | None, settings: Settings, index: str, es: Any) -> Iterator[str]:
    if url:
        yield require_loopback(url.rstrip("/"))
        return
    ensure_corpus(es, index, sorted(CORPUS.glob("*.jsonl.gz")))
    with api_server(settings.model_copy(update={"index": index})) as started:
        yield started


def run_mixed(
    url: str, concurrency: int, requests: int, duration: float, mix: dict[str, int] | None = None
) -> dict[str, Any]:
    timeline = find_timeline(url)
    workload = Workload(mix=mix or dict(Workload().mix), timeline_path=timeline)
    samples, wall = asyncio.run(run_load(url, workload.next, concurrency, requests, duration))
    result = report(samples, wall)
    result.update(
        {
            "concurrency": concurrency,
            "max_requests": requests,
            "max_seconds": duration,
            "mix": workload.mix,
            "timeline_endpoint": timeline or "search facets=months",
        }
    )
    return result


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def load_table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r['concurrency']} | {r['requests']} | {r['errors']} | {r['throughput_rps']:.1f} | "
            f"{_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | {_ms(r['p99_ms'])} |"
        )
    kinds = [
        "",
        "| concurrency | kind | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for k, v in r["by_kind"].items():
            kinds.append(
                f"| {r['concurrency']} | {k} | {v['requests']} | {v['errors']} "
                f"| {_ms(v['p50_ms'])} | {_ms(v['p95_ms'])} | {_ms(v['p99_ms'])} |"
            )
    return "\n".join(rows + kinds)


def outage_table(r: dict[str, Any]) -> str:
    d = r["during"]
    errs = ", ".join(f"{k}: {v}" for k, v in d["errors_by_outcome"].items()) or "none"
    return "\n".join(
        [
            "| measure | value |",
            "|---|---:|",
            f"| posts / concurrency | {r['posts']} / {r['concurrency']} |",
            f"| node stop took (s) | {r['es_stop_s']} |",
            f"| node start took (s) | {r['es_start_s']} |",
            f"| API unavailable (s, node stop to first success) | {r['unavailable_s']} |",
            f"| requests during the outage | {d['requests']} ({d['ok']} ok) |",
            f"| errors during the outage | {d['errors']} ({errs}) |",
            f"| slowest answer of any kind during the outage (ms) | {d['latency_all']['max_ms']} |",
            f"| error answers p50 / p99 / max (ms) | {d['latency_errors']['p50_ms']} "
            f"/ {d['latency_errors']['p99_ms']} / {d['latency_errors']['max_ms']} |",
            f"| recovery after the node is healthy (s) | {r['recovery_s_after_es_healthy']} |",
            f"| recovery after the restart command (s) | {r['recovery_s_after_restart_cmd']} |",
            f"| errors after recovery | {r['after']['errors']} of {r['after']['requests']} |",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="mixed workload against an API")
    r.add_argument("--url", help="a running API on a loopback address (default: start one)")
    r.add_argument("--index", default="bench-corpus")
    r.add_argument("--concurrency", type=int, nargs="+", default=[8])
    r.add_argument("--requests", type=int, default=3000, help="at most this many requests per run")
    r.add_argument("--duration", type=float, default=60, help="at most this many seconds per run")
    o = sub.add_parser("outage", help="Elasticsearch stopped and restarted mid-test")
    o.add_argument("--port", type=int, default=9290, help="port of the dedicated node")
    o.add_argument("--concurrency", type=int, default=8)
    o.add_argument("--down", type=float, default=10, help="seconds the node stays stopped")
    o.add_argument("--posts-per-file", type=int, default=150)
    args = ap.parse_args(argv)

    if args.cmd == "run":
        with (
            elasticsearch(Settings.from_env()) as (settings, es),
            target(args.url, settings, args.index, es) as url,
        ):
            results = [run_mixed(url, c, args.requests, args.duration) for c in args.concurrency]
        table = load_table(results)
        print(table)
        write_result("load", {"machine": machine(), "runs": results}, "# Load\n\n" + table)
    else:
        settings = Settings.from_env()
        files = sorted(CORPUS.glob("*.jsonl.gz"))
        result = run_outage(
            settings,
            files,
            port=args.port,
            posts_per_file=args.posts_per_file,
            concurrency=args.concurrency,
            down=args.down,
        )
        table = outage_table(result)
        print(table)
        write_result("outage", {"machine": machine(), **result}, "# Outage\n\n" + table)


if __name__ == "__main__":
    main()
