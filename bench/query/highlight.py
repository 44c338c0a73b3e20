"""What entity highlighting costs: ``/v1/search`` (size 10, highlights on) in-process, with the
entity recognizer reading only the places that hold the entities' names (the default) and, as
the baseline in the same process, reading the first ``ENTITY_SCAN_CHARS`` of every text whole
(as before 2026-12-03).

    python -m bench.query.highlight [--index bench-v4] [--rounds 6]

The queries name an entity in the other script than most of its posts (``モデル福祉`` for
English posts about model welfare), so its mentions are marked by the recognizer, not by the
typed words; long digests make that the slow part of a page. The two ways alternate round by
round (the order flips each round), and both must return the same posts in the same order.
Writes ``results/highlight-<index>.{json,md}``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx

from api.present import highlight
from bench.common import elasticsearch, machine, write_result
from indexer.config import Settings

QUERIES = [
    "モデル福祉", "オープンエーアイ", "ファインチューニング", "ミッドジャーニー", "アンソロピック",
    "ウェイモ", "エヌビディア", "強化学習", "ディープフェイク", "プロンプトエンジニアリング",
    "model welfare", "Anthropic", "OpenAIとMicrosoftの関係", "ソニーのAI",
]
WAYS = ("places", "whole")  # the default, then the baseline


def _use(way: str, defaults: tuple[int, int]) -> None:
    if way == "whole":
        highlight.ENTITY_WINDOWS, highlight.ENTITY_HEAD_CHARS = 0, highlight.ENTITY_SCAN_CHARS
    else:
        highlight.ENTITY_WINDOWS, highlight.ENTITY_HEAD_CHARS = defaults


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "mean_ms": round(statistics.mean(ordered), 2),
    }


async def measure(settings: Settings, rounds: int, queries: list[str] = QUERIES) -> dict[str, Any]:
    from api.app import create_app

    defaults = (highlight.ENTITY_WINDOWS, highlight.ENTITY_HEAD_CHARS)
    app = create_app(settings)
    times: dict[str, dict[str, list[float]]] = {w: {q: [] for q in queries} for w in WAYS}
    marks: dict[str, dict[str, list[Any]]] = {w: {} for w in WAYS}
    orders: dict[str, dict[str, list[str]]] = {w: {} for w in WAYS}
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            for q in queries:  # warm: term statistics, caches, connections
                await client.get("/v1/search", params={"q": q, "size": 10})
            for r in range(rounds):
                for way in WAYS if r % 2 == 0 else WAYS[::-1]:
                    _use(way, defaults)
                    for q in queries:
                        t = time.perf_counter()
                        resp = await client.get("/v1/search", params={"q": q, "size": 10})
                        times[way][q].append((time.perf_counter() - t) * 1000)
                        resp.raise_for_status()
                        hits = resp.json()["hits"]
                        orders[way][q] = [h["id"] for h in hits]
                        marks[way][q] = [_marked(h) for h in hits]
    finally:
        _use("places", defaults)
    differ = [q for q in queries if orders["places"][q] != orders["whole"][q]]
    if differ:
        raise SystemExit(f"the two ways returned different posts for {differ}")
    # the places read differ, so the snippets may; a hit marked by one way is marked by both
    unmarked = [q for q in queries for a, b in zip(marks["places"][q], marks["whole"][q], strict=True)
                if bool(a) != bool(b)]
    return {
        "machine": machine(),
        "index": settings.index,
        "rounds": rounds,
        "queries": queries,
        "ways": {w: _summary([v for q in queries for v in times[w][q]]) for w in WAYS},
        "per_query_p50_ms": {
            q: {w: round(statistics.median(times[w][q]), 2) for w in WAYS} for q in queries
        },
        "hits_marked_by_one_way_only": unmarked,
        "hits_marked": {q: sum(1 for m in marks["places"][q] if m) for q in queries},
    }


def _marked(hit: dict[str, Any]) -> list[str]:
    """The marked words of a hit's snippets."""
    return [s["text"][a:b] for s in hit.get("highlights") or [] for a, b in s["marks"]]


def markdown(r: dict[str, Any]) -> str:
    ways = r["ways"]
    lines = [
        "# Entity highlighting: the places that hold a name against whole texts",
        "",
        f"`/v1/search` in-process, size 10, highlights on, index `{r['index']}`, {r['rounds']} rounds "
        f"alternating; machine: {r['machine'].get('cpu')}, commit {r['machine'].get('commit')}.",
        "",
        "| way | requests | p50 ms | p95 ms | mean ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for w in WAYS:
        s = ways[w]
        lines.append(f"| {w} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['mean_ms']} |")
    keys = ("p50_ms", "p95_ms", "mean_ms")
    ratio = {k: ways["places"][k] / ways["whole"][k] for k in keys if ways["whole"][k]}
    lines += ["", "places / whole: " + ", ".join(f"{k[:-3]} {v:.2f}" for k, v in ratio.items()),
              f"hits marked by one way only: {len(r['hits_marked_by_one_way_only'])}", "",
              "| query | places p50 | whole p50 |", "|---|---:|---:|"]
    for q, v in r["per_query_p50_ms"].items():
        lines.append(f"| {q} | {v['places']} | {v['whole']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.query.highlight")
    ap.add_argument("--index", default="bench-corpus")
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args(argv)
    with elasticsearch(Settings.from_env()) as (settings, _):
        result = asyncio.run(measure(settings.model_copy(update={"index": args.index}), args.rounds))
    table = markdown(result)
    path = write_result(f"highlight-{args.index}", result, table)
    print(table)
    print(f"-> {path}")


if __name__ == "__main__":
    main()
