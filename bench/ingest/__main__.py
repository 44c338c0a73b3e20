"""Ingest throughput on the shared corpus, with two baselines measured in the same run.

    python -m bench.ingest [--limit N] [--files GLOB] [--repeat R] [--workers W] [--name NAME]

1. analysis alone: the same posts through the analysis pool, nothing sent anywhere, with the
   default line memo (``AIPOSTS_ANALYSIS_CACHE_MB``), and once more with the memo off: the
   memo's gain on real posts, where only boilerplate lines repeat;
2. full ingest: read, analyze, bulk into a fresh aiposts index;
3. plain bulk: the same raw text (titles, summaries, bodies) into an index with the
   ``standard`` analyzer, sent with the same bulk writer.
Reported: posts/s and characters/s of each, and full ingest time / each baseline's time.
Phases alternate within every repeat so drift on a shared machine hits them alike.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from elasticsearch import Elasticsearch

from bench.common import CORPUS, elasticsearch, machine, median, write_result
from indexer.analysis_pool import AnalysisPool, sized_batches
from indexer.config import Settings
from indexer.index.bulk import BulkWriter
from indexer.index.store import drop_index, ensure_index, versions
from indexer.ingest import Ingest
from indexer.post import Post
from indexer.rejects import RejectsFile
from indexer.sources import read_records
from indexer.sources.base import Parsed


def load(files: list[Path], limit: int | None) -> list[Post]:
    posts: list[Post] = []
    for rec in read_records(files):
        if isinstance(rec, Parsed):
            posts.append(rec.post)  # type: ignore[arg-type]
            if limit and len(posts) >= limit:
                break
    return posts


def chars(posts: list[Post]) -> int:
    return sum(len(t.title) + len(t.summary) + len(t.body) for p in posts for t in p.texts.values())


def phase_analysis(posts: list[Post], workers: int, cache_mb: int) -> float:
    t = time.perf_counter()
    with AnalysisPool(workers, cache_mb=cache_mb) as pool:
        for _ in pool.run(sized_batches(posts)):
            pass
        pool.close()
    return time.perf_counter() - t


def phase_ingest(es: Elasticsearch, alias: str, posts: list[Post], workers: int) -> float:
    for _, name in versions(es, alias):
        drop_index(es, name)
    ensure_index(es, alias)
    t = time.perf_counter()
    with RejectsFile(None, echo=None) as rejects:
        job = Ingest(es, alias, rejects, workers=workers)
        job.run_records(Parsed(p, _where(p)) for p in posts)
    return time.perf_counter() - t


def _where(p: Post):
    from indexer.sources.base import Location

    return Location(p.id)


def phase_plain(es: Elasticsearch, index: str, posts: list[Post]) -> float:
    drop_index(es, index)
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={"properties": {"text": {"type": "text", "analyzer": "standard"}}},
    )
    t = time.perf_counter()
    writer = BulkWriter(es, index)
    for p in posts:
        writer.add(p.id, {"text": [x for t in p.texts.values() for x in (t.title, t.summary, t.body) if x]})
    writer.close()
    es.indices.refresh(index=index)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.ingest")
    ap.add_argument("--limit", type=int, help="posts to use (default: the whole corpus)")
    ap.add_argument("--files", default="*.jsonl.gz", help="corpus files (glob)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--name", default="ingest", help="result file name under bench/results/")
    args = ap.parse_args()

    files = sorted(CORPUS.glob(args.files))
    posts = load(files, args.limit)
    n, c = len(posts), chars(posts)
    print(f"{n} posts, {c:,} characters from {len(files)} files")
    times: dict[str, list[float]] = {"analysis": [], "analysis_memo_off": [], "ingest": [], "plain_bulk": []}
    with elasticsearch(Settings.from_env()) as (settings, es):
        for r in range(args.repeat):
            times["analysis"].append(phase_analysis(posts, args.workers, settings.analysis_cache_mb))
            times["analysis_memo_off"].append(phase_analysis(posts, args.workers, 0))
            times["ingest"].append(phase_ingest(es, "bench-ingest", posts, args.workers))
            times["plain_bulk"].append(phase_plain(es, "bench-plain-standard", posts))
            print(f"repeat {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items()))
    med = {k: median(v) for k, v in times.items()}
    result = {
        "machine": machine(),
        "posts": n,
        "characters": c,
        "repeats": args.repeat,
        "seconds": times,
        "median_seconds": med,
        "posts_per_s": {k: n / v for k, v in med.items()},
        "chars_per_s": {k: c / v for k, v in med.items()},
        "ratio_ingest_to_analysis": med["ingest"] / med["analysis"],
        "ratio_memo_off_to_on": med["analysis_memo_off"] / med["analysis"],
        "ratio_ingest_to_plain_bulk": med["ingest"] / med["plain_bulk"],
    }
    rows = [
        "| phase | median s | posts/s | chars/s |",
        "|---|---:|---:|---:|",
        *(
            f"| {k} | {med[k]:.1f} | {n / med[k]:,.0f} | {c / med[k]:,.0f} |"
            for k in ("analysis", "analysis_memo_off", "ingest", "plain_bulk")
        ),
        "",
        f"analysis with the memo off / on: {result['ratio_memo_off_to_on']:.2f}x; "
        f"full ingest / analysis alone: {result['ratio_ingest_to_analysis']:.2f}x; "
        f"full ingest / plain standard bulk: {result['ratio_ingest_to_plain_bulk']:.2f}x "
        f"({n} posts, {args.repeat} repeat(s))",
    ]
    table = "\n".join(rows)
    print(table)
    result["files"] = args.files
    write_result(args.name, result, f"# Ingest ({n:,} posts of `{args.files}`)\n\n" + table)


if __name__ == "__main__":
    main()
