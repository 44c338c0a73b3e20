"""Query latency of ``/v1/search`` on the shared corpus, against the same query sent to
Elasticsearch directly, and export throughput; both measured in the same run.

    python -m bench.query [--index bench-corpus] [--concurrency 1 8 32] [--rounds 4] [--repeat 2]
                          [--es-url URL[,URL...]] [--limit N]

* the mixed query set of ``bench/query/queries.py`` (Japanese, English, phrase, filtered,
  faceted, highlighted), sent ``--rounds`` times per phase by ``concurrency`` workers;
* "API": ``GET /v1/search`` over HTTP to an API process on a loopback port; "ES": the body
  the API builds for that request (``api.query.search_request``, the API's own builder,
  called in-process), sent with the same Elasticsearch client the API uses;
* the API and ES phases alternate ``--repeat`` times per concurrency, so drift on a shared
  machine hits both alike; ratio = API percentile / ES percentile;
* export: ``GET /v1/export`` of every post (default fields), read to the end, against a
  point-in-time scan of the same posts and fields straight from Elasticsearch;
* ``--es-url``: measure that cluster (e.g. the three nodes of ``aiposts-es start --nodes 3``)
  instead of AIPOSTS_ES_URL or the local node; the API gets every URL. ``--limit``: when the
  index is missing, fill it with only the first N posts of each corpus file (a small index). The result
  file names the index and, with ``--es-url``, the number of nodes.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from elasticsearch import AsyncElasticsearch

from api.es import create_client
from api.present.export_rows import DEFAULT_FIELDS, FIELDS
from api.query.export_scan import BATCH
from api.query.term_stats import compile_matching
from bench.common import CORPUS, elasticsearch, machine, write_result
from bench.load.server import api_server
from bench.load.stats import summary_ms
from bench.query.queries import QUERIES, api_params, es_body, filters_of
from bench.relevance.run import ensure_corpus
from indexer.config import Settings

Call = tuple[str, Callable[[], Awaitable[bool]]]


async def run_phase(
    calls: list[Call], concurrency: int, rounds: int, max_seconds: float
) -> list[tuple[str, float, bool]]:
    """Every call ``rounds`` times, by ``concurrency`` workers; (kind, seconds, ok) each.
    Bounded by count and by ``max_seconds``."""
    todo = [c for _ in range(rounds) for c in calls]
    out: list[tuple[str, float, bool]] = []
    deadline = time.perf_counter() + max_seconds
    cursor = 0

    async def worker() -> None:
        nonlocal cursor
        while cursor < len(todo) and time.perf_counter() < deadline:
            kind, fn = todo[cursor]
            cursor += 1
            t = time.perf_counter()
            try:
                ok = await fn()
            except Exception:
                ok = False
            out.append((kind, time.perf_counter() - t, ok))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


def _api_call(client: httpx.AsyncClient, params: dict[str, Any]) -> Callable[[], Awaitable[bool]]:
    async def call() -> bool:
        resp = await client.get("/v1/search", params=params)
        resp.json()
        return resp.status_code == 200

    return call


def _es_call(es: AsyncElasticsearch, index: str, body: dict[str, Any]) -> Callable[[], Awaitable[bool]]:
    async def call() -> bool:
        resp = await es.search(index=index, **body)
        return "hits" in resp

    return call


async def export_api(client: httpx.AsyncClient, max_seconds: float) -> dict[str, Any]:
    t = time.perf_counter()
    n = 0
    async with client.stream("GET", "/v1/export", timeout=max_seconds) as resp:
        total = int(resp.headers.get("x-total-count", 0))
        async for chunk in resp.aiter_bytes():
            n += chunk.count(b"\n")  # one post per line (text may hold other line separators)
    s = time.perf_counter() - t
    return {
        "posts": n,
        "expected": total,
        "status": resp.status_code,
        "seconds": round(s, 2),
        "posts_per_s": round(n / s, 1),
    }


async def export_es(es: AsyncElasticsearch, index: str) -> dict[str, Any]:
    paths = sorted({p for name in DEFAULT_FIELDS for p in FIELDS[name][0]} | {"id"})
    t = time.perf_counter()
    pit = (await es.open_point_in_time(index=index, keep_alive="5m"))["id"]
    n = 0
    after = None
    try:
        while True:
            body: dict[str, Any] = {
                "query": {"bool": {"filter": [{"match_all": {}}]}},
                "sort": [{"id": {"order": "asc"}}],
                "size": BATCH,
                "source": paths,
            }
            if after:
                body["search_after"] = after
            resp = await es.search(pit={"id": pit, "keep_alive": "5m"}, **body)
            hits = resp["hits"]["hits"]
            if not hits:
                break
            n += len(hits)
            after = hits[-1]["sort"]
            pit = resp.get("pit_id", pit)
    finally:
        await es.close_point_in_time(id=pit)
    s = time.perf_counter() - t
    return {"posts": n, "seconds": round(s, 2), "posts_per_s": round(n / s, 1)}


async def bench(
    url: str, settings: Settings, concurrency: list[int], rounds: int, repeat: int, max_seconds: float
) -> dict[str, Any]:
    es = create_client(settings)  # the same client configuration as the API's
    limits = httpx.Limits(max_connections=max(concurrency), max_keepalive_connections=max(concurrency))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        try:
            api_calls = [(k, _api_call(client, api_params(p))) for k, p in QUERIES]
            # the very query the API sends (with the index's common words), highlights and all
            bodies = [
                es_body(p, settings, compiled=await compile_matching(es, settings, p.get("q"), filters_of(p)))
                for _, p in QUERIES
            ]
            kinds = [k for k, _ in QUERIES]
            es_calls = [(k, _es_call(es, settings.index, b)) for k, b in zip(kinds, bodies, strict=True)]
            # same answers? (top 10 ids of each query, API vs direct)
            same = 0
            for (_, p), body in zip(QUERIES, bodies, strict=True):
                a = (await client.get("/v1/search", params=api_params(p))).json()["hits"]
                b = (await es.search(index=settings.index, **body))["hits"]["hits"]
                same += [h["id"] for h in a] == [h["_id"] for h in b]
            await run_phase(api_calls, 1, 1, max_seconds)  # warm-up
            await run_phase(es_calls, 1, 1, max_seconds)
            levels: dict[str, Any] = {}
            for c in concurrency:
                samples: dict[str, list[tuple[str, float, bool]]] = {"api": [], "es": []}
                walls = {"api": 0.0, "es": 0.0}
                for _ in range(repeat):
                    for name, calls in (("api", api_calls), ("es", es_calls)):
                        t = time.perf_counter()
                        samples[name] += await run_phase(calls, c, rounds, max_seconds)
                        walls[name] += time.perf_counter() - t
                level: dict[str, Any] = {}
                for name, rows in samples.items():
                    ok = [s for _, s, good in rows if good]
                    level[name] = {
                        **summary_ms(ok),
                        "errors": sum(1 for r in rows if not r[2]),
                        "qps": round(len(ok) / walls[name], 1),
                        "by_kind": {
                            k: summary_ms(s for kk, s, g in rows if kk == k and g)
                            for k in dict.fromkeys(k for k, _ in QUERIES)
                        },
                    }
                level["ratio"] = {
                    p: round(level["api"][f"{p}_ms"] / level["es"][f"{p}_ms"], 2)
                    for p in ("p50", "p95", "p99")
                }
                levels[str(c)] = level
            export = {"api": await export_api(client, 900), "es": await export_es(es, settings.index)}
            export["ratio_time"] = round(export["api"]["seconds"] / export["es"]["seconds"], 2)
        finally:
            await es.close()
    return {
        "queries": len(QUERIES),
        "same_top10": same,
        "rounds": rounds,
        "repeat": repeat,
        "concurrency": levels,
        "export": export,
    }


def table(r: dict[str, Any]) -> str:
    rows = [
        "| concurrency | API p50 | API p95 | API p99 | ES p50 | ES p95 | ES p99 | ratio p50 | ratio p95 "
        "| ratio p99 | API q/s | ES q/s |",
        "|---:" * 12 + "|",
    ]
    for c, lv in r["concurrency"].items():
        a, e, q = lv["api"], lv["es"], lv["ratio"]
        rows.append(
            f"| {c} | {a['p50_ms']:.1f} | {a['p95_ms']:.1f} | {a['p99_ms']:.1f} "
            f"| {e['p50_ms']:.1f} | {e['p95_ms']:.1f} | {e['p99_ms']:.1f} | {q['p50']:.2f} "
            f"| {q['p95']:.2f} | {q['p99']:.2f} | {a['qps']:.1f} | {e['qps']:.1f} |"
        )
    first = next(iter(r["concurrency"]))
    lv = r["concurrency"][first]
    rows += [
        "",
        f"p50 by kind at concurrency {first} (ms):",
        "",
        "| kind | API p50 | ES p50 | ratio |",
        "|---|---:|---:|---:|",
    ]
    for k, v in lv["api"]["by_kind"].items():
        e = lv["es"]["by_kind"][k]
        rows.append(f"| {k} | {v['p50_ms']:.1f} | {e['p50_ms']:.1f} | {v['p50_ms'] / e['p50_ms']:.2f} |")
    ex = r["export"]
    rows += [
        "",
        f"export of {ex['api']['posts']} posts: API {ex['api']['posts_per_s']:,.0f} posts/s "
        f"({ex['api']['seconds']} s); direct Elasticsearch scan {ex['es']['posts_per_s']:,.0f} posts/s "
        f"({ex['es']['seconds']} s); API time / ES time {ex['ratio_time']:.2f}",
        f"(latencies in ms; {r['queries']} queries x {r['rounds']} rounds x {r['repeat']} repeats per "
        f"phase; API and ES gave the same top 10 for {r['same_top10']} of {r['queries']} queries)",
    ]
    return "\n".join(rows)


def run(
    settings: Settings,
    es_sync: Any,
    index: str = "bench-corpus",
    concurrency: list[int] | None = None,
    rounds: int = 4,
    repeat: int = 2,
    max_seconds: float = 180,
    log: Any = print,
    limit: int | None = None,
) -> dict[str, Any]:
    corpus = ensure_corpus(es_sync, index, sorted(CORPUS.glob("*.jsonl.gz")), limit=limit, log=log)
    api_settings = settings.model_copy(update={"index": index})
    with api_server(api_settings) as url:
        result = asyncio.run(bench(url, api_settings, concurrency or [1, 8, 32], rounds, repeat, max_seconds))
    result["posts"] = corpus["posts"]
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.query", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="bench-corpus")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--rounds", type=int, default=4, help="times the query set is sent per phase")
    ap.add_argument("--repeat", type=int, default=2, help="API/ES phase pairs per concurrency")
    ap.add_argument("--max-seconds", type=float, default=180, help="time limit of one phase")
    ap.add_argument("--es-url", help="Elasticsearch URL(s), comma-separated, to measure "
                    "(default: AIPOSTS_ES_URL, else the local node)")
    ap.add_argument("--limit", type=int, help="posts per corpus file to index when the index "
                    "is missing (default: the whole corpus)")
    args = ap.parse_args(argv)
    with elasticsearch(Settings.from_env(), args.es_url) as (settings, es):
        nodes = int(es.cluster.health()["number_of_nodes"])
        result = run(settings, es, args.index, args.concurrency, args.rounds, args.repeat,
                     args.max_seconds, limit=args.limit)
    result = {"machine": machine(), "es_url": settings.es_url, "nodes": nodes, **result}
    md = table(result)
    print(md)
    name = "query" if args.index == "bench-corpus" else f"query-{args.index}"
    if args.es_url:
        name += f"-{nodes}node"
    title = f"# Query latency ({result['posts']:,} posts in `{args.index}`, {nodes} node(s))"
    write_result(name, result, f"{title}\n\n" + md)


if __name__ == "__main__":
    main()
