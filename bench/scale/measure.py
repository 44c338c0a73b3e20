"""Measure the scale generator, and ingest of the scaled copy (all of it, or its first K posts
with the full figure extrapolated and labeled as such).

    python -m bench.scale.measure [--n 1000000] [--ingest 20000] [--out FILE.jsonl.gz]

The output's prefix has the corpus's mix of sources and languages (see generate.py), so the
ingest rate of the first K posts is a fair estimate of the rate over all N; the estimate
leaves out what grows with the index (merges, a larger terms dictionary) and is marked
``extrapolated``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import CORPUS, RESULTS, elasticsearch, machine, write_result
from bench.scale.generate import count_records, scaled
from indexer.config import Settings
from indexer.index.store import drop_index, ensure_index, versions
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from indexer.sources.base import Location
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


def ingest_prefix(es: Any, files: list[Path], k: int) -> dict[str, Any]:
    for _, name in versions(es, ALIAS):
        drop_index(es, name)
    ensure_index(es, ALIAS)
    records = (
        parse_line(json.dumps(rec, ensure_ascii=False).encode(), Location("scaled", i + 1))
        for i, rec in enumerate(scaled(files, k))
    )
    t = time.perf_counter()
    with RejectsFile(None, echo=None) as rejects:
        job = Ingest(es, ALIAS, rejects)
        summary = job.run_records(r for r in records if r is not None)
    s = time.perf_counter() - t
    return {
        "posts": k,
        "seconds": round(s, 1),
        "posts_per_s": round(k / s, 2),
        "summary": summary.as_dict(),
        "index_posts": int(es.count(index=ALIAS)["count"]),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.scale.measure", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--ingest", type=int, default=20_000, help="posts of the scaled copy to ingest (0: none)")
    ap.add_argument("--out", type=Path, help="keep the generated file here (default: a temporary file)")
    ap.add_argument("--skip-generate", action="store_true", help="only measure the ingest")
    args = ap.parse_args(argv)
    files = sorted(CORPUS.glob("*.jsonl.gz"))
    result: dict[str, Any] = {"machine": machine(), "n": args.n}
    previous = RESULTS / "scale.json"
    if args.skip_generate and previous.exists():  # keep the generator figures of the last run
        old = json.loads(previous.read_text(encoding="utf-8"))
        if "generate" in old:
            result["generate"] = {**old["generate"], "measured_at": old.get("machine", {}).get("when")}
    if not args.skip_generate:
        with tempfile.TemporaryDirectory() as tmp:
            out = args.out or Path(tmp) / "scaled.jsonl.gz"
            result["generate"] = generate(files, args.n, out)
            print(f"generated {args.n:,} posts: {result['generate']}")
    if args.ingest:
        with elasticsearch(Settings.from_env()) as (_, es):
            ing = ingest_prefix(es, files, args.ingest)
        result["ingest"] = ing
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
        i, e = result["ingest"], result["ingest_extrapolated_to_n"]
        rows.append(
            f"| ingest of the first {i['posts']:,} posts | {i['seconds']} s "
            f"({i['posts_per_s']:,.1f} posts/s) |"
        )
        rows.append(f"| ingest of all {args.n:,} (extrapolated, not measured) | ~{e['hours']} h |")
    write_result("scale", result, "# Scale\n\n" + "\n".join(rows))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
