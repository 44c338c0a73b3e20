"""Latency of the trend analytics endpoints (timeline, top, rising) on a whole index.

    python -m bench.analytics [--alias NAME] [--repeat N]

* The default alias, ``bench-corpus``, holds the whole shared corpus (the relevance bench's
  alias); when it is missing or empty it is ingested here (about 13 minutes on 2 cores).
  ``--alias`` points the bench at any other index alias, e.g. the scaled copy of about one
  million posts; such an alias must exist already (nothing is ingested into it).
* Each endpoint is called through the API application itself (in process, over ASGI), so the
  figures include query building, both Elasticsearch round trips and the JSON encoding. Every
  case runs once to warm up, then ``--repeat`` times, with Elasticsearch's shard request cache
  cleared before each call: the latencies are those of an answer computed, not of a cache hit
  (the API's own ETag/304 path is not exercised either).
* Reported: p50 and p95 (nearest rank) per endpoint over all its cases, and per case; written to
  ``bench/results/analytics.json`` and ``.md`` (``analytics-<alias>.*`` for another alias).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import httpx
from elasticsearch import Elasticsearch

from bench.common import CORPUS, elasticsearch, machine, median, write_result
from bench.load.stats import percentile
from indexer.config import Settings

DEFAULT_ALIAS = "bench-corpus"  # the whole shared corpus, shared with the relevance bench

CASES: dict[str, list[dict[str, Any]]] = {
    "timeline": [
        {"interval": "week"},
        {"q": "model welfare", "interval": "month"},
        {"q": "エージェント", "interval": "week", "split": "entity", "top": 5},
        {"interval": "day", "from": "2025-06-01", "to": "2025-12-31", "lang": "ja"},
        {"interval": "month", "compare": ["OpenAI", "Anthropic", "Google"]},
        {"entity": "anthropic", "interval": "week", "split": "tag", "top": 5},
    ],
    "top": [
        {"by": "entity"},
        {"by": "tag", "lang": "en"},
        {"by": "key_term", "term_lang": "ja", "from": "2026-01-01"},
        {"by": "entity", "type": "model", "q": "agents"},
        {"by": "source", "q": "生成AI"},
    ],
    "rising": [
        {"by": "entity"},
        {"by": "key_term", "from": "2026-05-01", "to": "2026-05-31"},
        {"by": "tag", "from": "2025-01-01", "to": "2025-06-30"},
        {"by": "key_term", "q": "生成AI", "term_lang": "ja"},
        {"by": "entity", "type": "model", "from": "2026-01-01", "to": "2026-03-31"},
    ],
}


def ensure_corpus(es: Elasticsearch, alias: str, settings: Settings) -> int:
    """The posts behind ``alias``; the default alias is filled with the whole corpus when empty
    (the same way, and the same alias, as the relevance bench)."""
    from bench.relevance.run import count
    from bench.relevance.run import ensure_corpus as fill

    n = count(es, alias)
    if n:
        return n
    if alias != DEFAULT_ALIAS:
        sys.exit(f"alias {alias!r} is missing or empty; only {DEFAULT_ALIAS!r} is filled by this bench")
    done = fill(
        es,
        alias,
        sorted(CORPUS.glob("*.jsonl.gz")),
        workers=settings.workers,
        log=lambda m: print(m, flush=True),
    )
    print(f"ingest: {done}", flush=True)
    return count(es, alias)


async def measure(
    settings: Settings, es: Elasticsearch, repeat: int
) -> dict[str, list[tuple[dict[str, Any], list[float]]]]:
    from api.app import create_app

    app = create_app(settings)
    out: dict[str, list[tuple[dict[str, Any], list[float]]]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as client:
            for endpoint, cases in CASES.items():
                out[endpoint] = []
                for params in cases:
                    times: list[float] = []
                    for i in range(repeat + 1):
                        es.indices.clear_cache(index=settings.index, request=True)
                        t = time.perf_counter()
                        r = await client.get(f"/v1/trends/{endpoint}", params=params)
                        elapsed = (time.perf_counter() - t) * 1000
                        if r.status_code != 200:
                            raise SystemExit(f"{endpoint} {params}: {r.status_code} {r.text[:300]}")
                        if i:  # the first call warms up
                            times.append(elapsed)
                    out[endpoint].append((params, times))
                    print(
                        f"{endpoint:8s} p50 {percentile(times, 50):7.1f} ms  "
                        f"p95 {percentile(times, 95):7.1f} ms  {params}",
                        flush=True,
                    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.analytics", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--alias",
        default=DEFAULT_ALIAS,
        help=f"index alias to query (default {DEFAULT_ALIAS}: "
        "the whole shared corpus, ingested when missing)",
    )
    ap.add_argument("--repeat", type=int, default=20, help="measured calls per case (after one warm-up)")
    args = ap.parse_args()
    base = Settings.from_env()
    with elasticsearch(base) as (settings, es):
        docs = ensure_corpus(es, args.alias, settings)
        app_settings = settings.model_copy(update={"index": args.alias, "es_timeout": 120.0, "es_wait": 60.0})
        print(f"{docs:,} posts in {args.alias}; {args.repeat} calls per case", flush=True)
        results = asyncio.run(measure(app_settings, es, args.repeat))
    summary: dict[str, dict[str, float]] = {}
    rows = [
        "| endpoint | cases | calls | p50 ms | p95 ms | median of case p50s ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for endpoint, cases in results.items():
        every = [t for _, times in cases for t in times]
        summary[endpoint] = {
            "p50_ms": percentile(every, 50),
            "p95_ms": percentile(every, 95),
            "calls": len(every),
        }
        rows.append(
            f"| {endpoint} | {len(cases)} | {len(every)} | {summary[endpoint]['p50_ms']:.1f} | "
            f"{summary[endpoint]['p95_ms']:.1f} | "
            f"{median([percentile(t, 50) for _, t in cases]):.1f} |"
        )
    rows += ["", "| endpoint | case | p50 ms | p95 ms |", "|---|---|---:|---:|"]
    for endpoint, cases in results.items():
        for params, times in cases:
            shown = "&".join(
                f"{k}={x}" for k, v in params.items() for x in (v if isinstance(v, list) else [v])
            )
            rows.append(
                f"| {endpoint} | `{shown}` | {percentile(times, 50):.1f} | {percentile(times, 95):.1f} |"
            )
    table = "\n".join(rows)
    print(table)
    result = {
        "machine": machine(),
        "alias": args.alias,
        "posts": docs,
        "repeat": args.repeat,
        "request_cache": "cleared before every call",
        "summary": summary,
        "cases": {
            e: [
                {"params": p, "ms": t, "p50_ms": percentile(t, 50), "p95_ms": percentile(t, 95)}
                for p, t in cases
            ]
            for e, cases in results.items()
        },
    }
    name = "analytics" if args.alias == DEFAULT_ALIAS else f"analytics-{args.alias}"
    path = write_result(
        name,
        result,
        f"# Analytics latency: {args.alias} ({docs:,} posts)\n\n"
        f"{args.repeat} calls per case after one warm-up, through the API in process; "
        "Elasticsearch's request cache cleared before each call.\n\n" + table,
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
