"""Measure the scale generator, and ingest of the scaled copy (all of it, or its first K posts
with the full figure extrapolated and labeled as such).

    python -m bench.scale.measure [--n 1000000] [--ingest 20000] [--out FILE.jsonl.gz]
    python -m bench.scale.measure --skip-generate --ingest 1000000     # the whole 1M, measured

The output's prefix has the corpus's mix of sources and languages (see generate.py), so the
ingest rate of the first K posts is a fair estimate of the rate over all N; the estimate
leaves out what grows with the index (merges, a larger terms dictionary) and is marked
``extrapolated``. With ``--ingest N`` nothing is extrapolated.

The ingest is the project's own (``Ingest``: analysis on every core, bulk writes, refresh
every second as configured) into the alias ``bench-scale``, with a line memo of
``--cache-mb`` per analysis process. The scaled copy repeats the corpus's paragraphs about
N / 50,000 times, so from the second copy on most lines come from the memo: this measures
Elasticsearch and the pipeline at N posts, not fresh analysis of N unique posts (that rate is
``bench.ingest``'s). Checkpoints record the rate every ``--every`` posts, so a slowdown as
the index grows shows.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import CORPUS, RESULTS, elasticsearch, machine, write_result
from bench.scale.generate import count_records, scaled
from indexer.config import Settings
from indexer.index.store import drop_index, ensure_index, versions
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from indexer.sources.base import Location, Parsed, Reject
from indexer.sources.jsonl import parse_line

ALIAS = "bench-scale"


def generate(files: list[Path], n: int, out: Path) -> dict[str, Any]:
    weights = [count_records(p) for p in files]
    t = time.perf_counter()
    chars = 0
    with io.TextIOWrapper(gzip.open(out, "wb", compresslevel=3), encoding="utf-8") as f:
        for rec in scaled(files, n, weights):
            line = json.dumps(rec, ensure_ascii=False)
            chars += len(line)
            f.write(line + "\n")
    s = time.perf_counter() - t
    return {
        "posts": n,
        "seconds": round(s, 1),
        "posts_per_s": round(n / s, 1),
        "json_chars": chars,
        "gzip_bytes": out.stat().st_size,
    }


def _checkpointed(
    records: Iterator[Parsed | Reject], every: int, marks: list[dict[str, Any]], t0: float
) -> Iterator[Parsed | Reject]:
    """``records`` unchanged, noting the time every ``every`` records handed to the ingest (it
    reads at most a few batches ahead of what is written)."""
    last = t0
    for i, rec in enumerate(records, 1):
        yield rec
        if i % every == 0:
            now = time.perf_counter()
            rate = every / (now - last)
            marks.append({"posts": i, "seconds": round(now - t0, 1), "posts_per_s_since_last": round(rate)})
            print(f"  {i:,} posts read in {now - t0:,.0f} s ({rate:,.0f} posts/s lately)", flush=True)
            last = now


def index_size(es: Any, alias: str) -> dict[str, Any]:
    stats = es.indices.stats(index=alias, metric=["store", "segments"])["_all"]["primaries"]
    return {
        "store_bytes": stats["store"]["size_in_bytes"],
        "segments": stats["segments"]["count"],
    }


def ingest_prefix(
    es: Any,
    files: list[Path],
    k: int,
    cache_mb: int = 2048,
    every: int = 100_000,
    resume: bool = False,
    alias: str = ALIAS,
) -> dict[str, Any]:
    if not resume:
        for _, name in versions(es, alias):
            drop_index(es, name)
    ensure_index(es, alias)
    records = (
        parse_line(json.dumps(rec, ensure_ascii=False).encode(), Location("scaled", i + 1))
        for i, rec in enumerate(scaled(files, k))
    )
    marks: list[dict[str, Any]] = []
    t = time.perf_counter()
    with RejectsFile(None, echo=None) as rejects:
        job = Ingest(es, alias, rejects, cache_mb=cache_mb)
        summary = job.run_records(_checkpointed((r for r in records if r is not None), every, marks, t))
    s = time.perf_counter() - t
    return {
        "posts": k,
        "seconds": round(s, 1),
        "posts_per_s": round(k / s, 2),
        "cache_mb_per_process": cache_mb,
        "resumed": resume,
        "checkpoints": marks,
        "summary": summary.as_dict(),
        "index_posts": int(es.count(index=alias)["count"]),
        "index": index_size(es, alias),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.scale.measure", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--ingest", type=int, default=20_000, help="posts of the scaled copy to ingest (0: none)")
    ap.add_argument("--out", type=Path, help="keep the generated file here (default: a temporary file)")
    ap.add_argument("--skip-generate", action="store_true", help="only measure the ingest")
    ap.add_argument("--cache-mb", type=int, default=2048, help="line memo per analysis process")
    ap.add_argument("--every", type=int, default=100_000, help="posts between rate checkpoints")
    ap.add_argument(
        "--resume", action="store_true", help="keep what bench-scale holds (unchanged posts are skipped)"
    )
    args = ap.parse_args(argv)
    files = sorted(CORPUS.glob("*.jsonl.gz"))
    result: dict[str, Any] = {"machine": machine(), "n": args.n}
    previous = RESULTS / "scale.json"
    if args.skip_generate and previous.exists():  # keep the generator figures of the last run
        old = json.loads(previous.read_text(encoding="utf-8"))
        if "generate" in old:
            # a figure carried over more than once keeps the time it was really measured
            when = old["generate"].get("measured_at") or old.get("machine", {}).get("when")
            result["generate"] = {**old["generate"], "measured_at": when}
    if not args.skip_generate:
        with tempfile.TemporaryDirectory() as tmp:
            out = args.out or Path(tmp) / "scaled.jsonl.gz"
            result["generate"] = generate(files, args.n, out)
            print(f"generated {args.n:,} posts: {result['generate']}")
    if args.ingest:
        with elasticsearch(Settings.from_env()) as (_, es):
            ing = ingest_prefix(es, files, args.ingest, args.cache_mb, args.every, args.resume)
        result["ingest"] = ing
        if args.ingest < args.n:
            result["ingest_extrapolated_to_n"] = {
                "extrapolated": True,
                "posts": args.n,
                "hours": round(args.n / ing["posts_per_s"] / 3600, 1),
            }
        print(f"ingested the first {args.ingest:,}: {ing}")
    rows = ["| measure | value |", "|---|---:|"]
    if "generate" in result:
        g = result["generate"]
        rows.append(
            f"| generate {g['posts']:,} posts | {g['seconds']} s ({g['posts_per_s']:,.0f} posts/s, "
            f"{g['gzip_bytes'] / 2**20:,.0f} MiB gzip) |"
        )
    if "ingest" in result:
        i = result["ingest"]
        what = f"all {i['posts']:,} posts" if i["posts"] >= args.n else f"the first {i['posts']:,} posts"
        rows.append(f"| ingest of {what} | {i['seconds']:,} s ({i['posts_per_s']:,.1f} posts/s) |")
        for m in i["checkpoints"]:
            rate = m["posts_per_s_since_last"]
            rows.append(f"| · {m['posts']:,} posts read | {m['seconds']:,} s ({rate:,} posts/s lately) |")
        rows.append(
            f"| index size | {i['index']['store_bytes'] / 2**30:,.2f} GiB, "
            f"{i['index']['segments']} segments |"
        )
        if "ingest_extrapolated_to_n" in result:
            e = result["ingest_extrapolated_to_n"]
            rows.append(f"| ingest of all {args.n:,} (extrapolated, not measured) | ~{e['hours']} h |")
    write_result("scale", result, "# Scale\n\n" + "\n".join(rows))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
