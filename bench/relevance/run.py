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

SYSTEMS = ("aiposts", "standard", "bigram")
MATCH_VARIANTS = ("most", "any")  # the API's opt-in ``match`` modes, run beside its default
BASELINE_INDEX = {"standard": "bench-standard", "bigram": "bench-bigram"}


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


def evaluate(
    runs: dict[str, dict[str, list[str]]], topics: list[Topic], qrels: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Per system: mean metrics overall and per kind, and per topic. Topics without any
    relevant judgment are left out of the means (and listed)."""
    scored = [t for t in topics if has_relevant(qrels.get(t.id, {}))]
    kinds = sorted({t.kind for t in scored})
    result: dict[str, Any] = {
        "topics": len(topics),
        "topics_scored": len(scored),
        "topics_without_relevant": [t.id for t in topics if t not in scored],
        "kinds": {k: sum(1 for t in scored if t.kind == k) for k in kinds},
        "systems": {},
    }
    for system, run in runs.items():
        per_topic = {t.id: score_topic(run.get(t.id, []), qrels[t.id]) for t in scored}
        result["systems"][system] = {
            "overall": mean_scores(per_topic.values()),
            "by_kind": {k: mean_scores(per_topic[t.id] for t in scored if t.kind == k) for k in kinds},
            "per_topic": per_topic,
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
    result = evaluate(runs, topics, qrels)
    result["judgments"] = sum(len(v) for v in qrels.values())
    result["corpus"] = corpus
    result["baselines"] = built
    result["depth"] = depth
    result["ms_per_topic"] = {k: round(1000 * v / max(1, len(topics)), 1) for k, v in seconds.items()}
    result["empty_runs"] = {s: [q for q, ids in r.items() if not ids] for s, r in runs.items()}
    return result
