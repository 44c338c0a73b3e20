"""Stream a copy of the shared corpus scaled to N posts (see ``bench/scale/generate.py``).

    python -m bench.scale [--n 1000000] --out FILE.jsonl.gz [--corpus DIR]

``--out -`` writes plain JSON Lines to standard output. The output is what
``aiposts-index ingest`` reads.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import IO

from bench.common import CORPUS
from bench.scale.generate import DEFAULT_END, DEFAULT_START, count_records, scaled


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="posts to write (default 1,000,000)")
    ap.add_argument("--out", required=True, help="output file (.jsonl or .jsonl.gz), or - for stdout")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START)
    ap.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END)
    args = ap.parse_args(argv)
    if args.n < 1 or args.start > args.end:
        ap.error("--n must be positive and --start not after --end")
    files = sorted(args.corpus.glob("*.jsonl.gz")) or sorted(args.corpus.glob("*.jsonl"))
    if not files:
        ap.error(f"no corpus files in {args.corpus}")
    weights = [count_records(p) for p in files]
    t = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if args.out == "-":
            out: IO[str] = sys.stdout
        elif args.out.endswith(".gz"):
            raw = stack.enter_context(gzip.open(args.out, "wb", compresslevel=3))
            out = stack.enter_context(io.TextIOWrapper(raw, encoding="utf-8"))
        else:
            out = stack.enter_context(open(args.out, "w", encoding="utf-8"))
        for i, rec in enumerate(scaled(files, args.n, weights, args.start, args.end), 1):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            if i % 100_000 == 0:
                print(f"{i:,} posts, {i / (time.perf_counter() - t):,.0f} posts/s", file=sys.stderr)
    print(
        f"wrote {args.n:,} posts from {sum(weights):,} corpus records in {time.perf_counter() - t:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
