"""Run topics through the API and the two baselines, and score the runs.

The pieces are separate so the pooling tool, the suite and the tests can reuse them:
``ensure_corpus`` (index the shared corpus behind an alias when it is missing),
``ensure_baselines`` (build ``bench-standard`` / ``bench-bigram`` from the same posts),
``api_runs`` / ``baseline_runs`` (ranked post ids per topic) and ``evaluate``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import Elasticsearch

from bench.relevance import baselines
from bench.relevance.formats import Topic
from bench.relevance.metrics import METRICS, has_relevant, mean_scores, score_topic
from indexer.config import Settings
from indexer.index.store import current_index, ensure_index
from indexer.post import Post
from indexer.rejects import RejectsFile
from indexer.sources import read_records
from indexer.sources.base import Parsed

SYSTEMS = ("aiposts", "standard", "bigram", "fugashi")
MATCH_VARIANTS = ("all", "most", "any")  # the API's other ``match`` modes, run beside its default (best)
BASELINE_INDEX = {"standard": "bench-standard", "bigram": "bench-bigram", "fugashi": "bench-fugashi"}


def corpus_posts(files: list[Path], limit: int | None = None) -> Iterator[Post]:
    """The corpus posts in file order (``limit`` per file when given), first of each id."""
    seen: set[str] = set()
    for path in files:
        taken = 0
        for rec in read_records([path]):
            if not isinstance(rec, Parsed):
                continue
            post: Post = rec.post  # type: ignore[assignment]
            if post.id in seen:
                continue
            seen.add(post.id)
            yield post
            taken += 1
            if limit is not None and taken >= limit:
                break


def count(es: Elasticsearch, index: str) -> int:
    if not es.indices.exists(index=index):
        return 0
    return int(es.count(index=index)["count"])


def ensure_corpus(
    es: Elasticsearch,
    alias: str,
    files: list[Path],
    limit: int | None = None,
    workers: int = 0,
    log: Any = print,
    resume: bool = False,
) -> dict[str, Any]:
    """Index the corpus behind ``alias`` when the alias is missing or empty; reuse it otherwise.
    ``resume``: run the ingest anyway (after an interrupted one: unchanged posts are skipped,
    so only what is missing gets analyzed and written)."""
    n = count(es, alias) if current_index(es, alias) else 0
    if n and not resume:
        return {"alias": alias, "posts": n, "indexed_now": False}
    from indexer.ingest import Ingest

    log(
        f"{alias}: {'resuming' if n else 'missing or empty,'} indexing {len(files)} corpus file(s) "
        "(this takes minutes)"
    )
    ensure_index(es, alias)
    t = time.perf_counter()
    with RejectsFile(None, echo=None) as rejects:
        job = Ingest(es, alias, rejects, workers=workers)
        summary = job.run_records(Parsed(p, _where(p)) for p in corpus_posts(files, limit))
    # one segment: how many a fresh build has depends on when its merges ran, and query costs with
    # them (measured: one segment costs about a quarter less Elasticsearch CPU per query than the
    # twelve of a fresh build of the whole corpus)
    es.options(request_timeout=900).indices.forcemerge(index=alias, max_num_segments=1)
    return {
        "alias": alias,
        "posts": count(es, alias),
        "indexed_now": True,
        "seconds": round(time.perf_counter() - t, 1),
        "summary": summary.as_dict(),
    }


def _where(p: Post):
    from indexer.sources.base import Location

    return Location(p.id)


def ensure_baselines(
    es: Elasticsearch,
    files: list[Path],
    limit: int | None = None,
    names: dict[str, str] | None = None,
    rebuild: bool = False,
    log: Any = print,
) -> dict[str, Any]:
    names = names or BASELINE_INDEX
    out: dict[str, Any] = {}
    for kind, index in names.items():
        if rebuild or not baselines.is_built(es, index, kind):
            log(f"{index}: building the {kind} baseline")
            t = time.perf_counter()
            written = baselines.build(es, index, kind, corpus_posts(files, limit))
            out[kind] = {"index": index, "posts": written, "built_s": round(time.perf_counter() - t, 1)}
        else:
            out[kind] = {"index": index, "posts": count(es, index), "built_s": None}
    return out


async def _api_search(
    client: httpx.AsyncClient, topic: Topic, depth: int, extra: dict[str, str] | None = None
) -> list[str]:
    params = {"q": topic.query, "size": depth, "highlight": "false", **(extra or {})}
    resp = await client.get("/v1/search", params=params)
    if resp.status_code != 200:
        print(
            f"warning: topic {topic.id}: API answered {resp.status_code}: {resp.text[:200]}", file=sys.stderr
        )
        return []
    return [h["id"] for h in resp.json()["hits"]]


async def api_runs_async(
    settings: Settings, topics: Iterable[Topic], depth: int = 100, extra: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """The API in-process (ASGI, with its lifespan), one topic after another."""
    from api.app import create_app

    app = create_app(settings)
    runs: dict[str, list[str]] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench.local", timeout=60
        ) as client:
            for topic in topics:
                runs[topic.id] = await _api_search(client, topic, depth, extra)
    return runs


def api_runs(
    settings: Settings, topics: Iterable[Topic], depth: int = 100, extra: dict[str, str] | None = None
) -> dict[str, list[str]]:
    return asyncio.run(api_runs_async(settings, list(topics), depth, extra))


def baseline_runs(
    es: Elasticsearch, index: str, kind: str, topics: Iterable[Topic], depth: int = 100
) -> dict[str, list[str]]:
    return {t.id: baselines.search(es, index, kind, t.query, depth) for t in topics}


def judged_only(run: list[str], judged: dict[str, int]) -> list[str]:
    """The run with unjudged posts removed (the "condensed list" of Sakai's judged-only scoring)."""
    return [pid for pid in run if pid in judged]


def _means(per_topic: dict[str, dict[str, float]], scored: list[Topic]) -> dict[str, Any]:
    kinds = sorted({t.kind for t in scored})

    def of(kind: str | None, half: str) -> dict[str, float]:
        return mean_scores(
            per_topic[t.id]
            for t in scored
            if (kind is None or t.kind == kind) and t.extra.get("half") == half
        )

    halves = sorted({str(t.extra.get("half")) for t in scored if t.extra.get("half")})
    return {
        "overall": mean_scores(per_topic.values()),
        "by_kind": {k: mean_scores(per_topic[t.id] for t in scored if t.kind == k) for k in kinds},
        "by_half": {
            h: {
                "overall": of(None, h),
                "by_kind": {k: m for k in kinds if (m := of(k, h))},
            }
            for h in halves
        },
    }


def evaluate(
    runs: dict[str, dict[str, list[str]]], topics: list[Topic], qrels: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Per system: mean metrics overall, per kind and per half (when topics carry ``half``),
    with all judgments and judged-only, and per topic. Topics without any relevant judgment
    are left out of the means (and listed); ``empty`` lists the scored topics a system
    returned nothing for."""
    scored = [t for t in topics if has_relevant(qrels.get(t.id, {}))]
    kinds = sorted({t.kind for t in scored})
    result: dict[str, Any] = {
        "topics": len(topics),
        "topics_scored": len(scored),
        "topics_without_relevant": [t.id for t in topics if t not in scored],
        "kinds": {k: sum(1 for t in scored if t.kind == k) for k in kinds},
        "topic_kinds": {t.id: t.kind for t in scored},
        "topic_halves": {t.id: str(t.extra.get("half")) for t in scored if t.extra.get("half")},
        "halves": {
            h: sum(1 for t in scored if t.extra.get("half") == h)
            for h in sorted({str(t.extra.get("half")) for t in scored if t.extra.get("half")})
        },
        "systems": {},
    }
    for system, run in runs.items():
        per_topic = {t.id: score_topic(run.get(t.id, []), qrels[t.id]) for t in scored}
        condensed = {
            t.id: score_topic(judged_only(run.get(t.id, []), qrels[t.id]), qrels[t.id]) for t in scored
        }
        result["systems"][system] = {
            **_means(per_topic, scored),
            "judged_only": _means(condensed, scored),
            "empty": [t.id for t in scored if not run.get(t.id)],
            "per_topic": per_topic,
            "per_topic_judged_only": condensed,
        }
    return result


def table(result: dict[str, Any]) -> str:
    systems = list(result["systems"])
    head = "| kind | topics | system | " + " | ".join(METRICS) + " | judged@10 |"
    rows = [head, "|---|---:|---|" + "---:|" * (len(METRICS) + 1)]
    groups = [("all", result["topics_scored"], "overall")] + [(k, n, k) for k, n in result["kinds"].items()]
    for label, n, key in groups:
        for s in systems:
            data = result["systems"][s]
            m = data["overall"] if key == "overall" else data["by_kind"][key]
            cells = " | ".join(f"{m[name]:.3f}" for name in METRICS)
            rows.append(f"| {label} | {n} | {s} | {cells} | {m['judged@10']:.2f} |")
    return "\n".join(rows)


def compact_table(result: dict[str, Any], metric: str = "ndcg@10") -> str:
    """One metric per (half, kind) row, one column per system: "all judgments / judged-only",
    and the count of topics a system returned nothing for."""
    systems = list(result["systems"])
    rows = [
        f"| {metric} | topics | " + " | ".join(systems) + " |",
        "|---|---:|" + "---:|" * len(systems),
    ]
    halves = [None, *result.get("halves", {})]
    for half in halves:
        groups = [("all", "overall")] + [(k, k) for k in result["kinds"]]
        for label, key in groups:
            cells = []
            for s in systems:
                data = result["systems"][s]
                src, cond = (data, data["judged_only"]) if half is None else (
                    data["by_half"].get(half, {}), data["judged_only"]["by_half"].get(half, {}))
                m = src.get("overall") if key == "overall" else src.get("by_kind", {}).get(key)
                c = cond.get("overall") if key == "overall" else cond.get("by_kind", {}).get(key)
                if not m:
                    cells.append("–")
                    continue
                cells.append(f"{m[metric]:.3f} / {c[metric]:.3f}")
            if all(c == "–" for c in cells):
                continue
            where = "all halves" if half is None else half
            rows.append(f"| {where}: {label} | {_count(result, half, key)} | " + " | ".join(cells) + " |")
    rows.append("| topics with no results | | " + " | ".join(
        str(len(result["systems"][s]["empty"])) for s in systems) + " |")
    return "\n".join(rows)


def _count(result: dict[str, Any], half: str | None, key: str) -> int:
    kinds = result.get("topic_kinds", {})
    halves = result.get("topic_halves", {})
    return sum(
        1 for q, k in kinds.items()
        if (key == "overall" or k == key) and (half is None or halves.get(q) == half)
    )


def run_all(
    settings: Settings,
    es: Elasticsearch,
    topics: list[Topic],
    qrels: dict[str, dict[str, int]],
    files: list[Path],
    alias: str = "bench-corpus",
    limit: int | None = None,
    depth: int = 100,
    baseline_names: dict[str, str] | None = None,
    rebuild_baselines: bool = False,
    log: Any = print,
    resume: bool = False,
    match_modes: Iterable[str] = MATCH_VARIANTS,
    extra_runs: dict[str, dict[str, list[str]]] | None = None,
) -> dict[str, Any]:
    """Everything ``python -m bench.relevance`` does, minus printing and files. Besides the
    API's default (``aiposts``), each of ``match_modes`` runs as ``aiposts match=<mode>``."""
    corpus = ensure_corpus(es, alias, files, limit, log=log, resume=resume)
    built = ensure_baselines(es, files, limit, baseline_names, rebuild_baselines, log=log)
    api_settings = settings.model_copy(update={"index": alias})
    runs: dict[str, dict[str, list[str]]] = {}
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    runs["aiposts"] = api_runs(api_settings, topics, depth)
    seconds["aiposts"] = time.perf_counter() - t
    for mode in match_modes:
        name = f"aiposts match={mode}"
        t = time.perf_counter()
        runs[name] = api_runs(api_settings, topics, depth, {"match": mode})
        seconds[name] = time.perf_counter() - t
    for kind, info in built.items():
        t = time.perf_counter()
        runs[kind] = baseline_runs(es, info["index"], kind, topics, depth)
        seconds[kind] = time.perf_counter() - t
    runs.update(extra_runs or {})
    result = evaluate(runs, topics, qrels)
    result["runs"] = runs  # the caller writes them as TREC files and drops them from the JSON
    result["judgments"] = sum(len(v) for v in qrels.values())
    result["corpus"] = corpus
    result["baselines"] = built
    result["depth"] = depth
    result["ms_per_topic"] = {k: round(1000 * v / max(1, len(topics)), 1) for k, v in seconds.items()}
    result["empty_runs"] = {s: [q for q, ids in r.items() if not ids] for s, r in runs.items()}
    return result
