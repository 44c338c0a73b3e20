"""A copy of the shared corpus scaled to N posts, streamed record by record.

Every output record is a real corpus record with:

* a new id, ``scale-<n>`` (the original id is kept in ``scale_of``, the copy number in
  ``scale_copy``; the indexer ignores both);
* a new date: post ``n`` gets the day at fraction ``frac(n·φ)`` of the span (default
  2017-01-01 to 2026-08-31), a low-discrepancy sequence, so every prefix of the output is
  spread evenly over the years;
* from its second copy on, a small variation so copies are not identical: the body's
  paragraphs in a shuffled order (seeded by ``n``) and `` (copy k)`` after the title; the
  URL gets a ``#scale-<n>`` fragment; translation links are dropped (they would point at the
  original ids).

The files are interleaved by weighted round robin (each in proportion to its size), and a
file that runs out is read again from the start, so any prefix of the output has the
corpus's mix of sources and languages. Memory stays flat: one open reader per file, one
record at a time.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

GOLDEN = 0.6180339887498949
DEFAULT_START = date(2017, 1, 1)
DEFAULT_END = date(2026, 8, 31)


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open(encoding="utf-8")


def read_raw(path: Path) -> Iterator[dict[str, Any]]:
    with open_text(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    yield obj


def count_records(path: Path) -> int:
    with open_text(path) as f:
        return sum(1 for line in f if line.strip())


def spread_date(n: int, start: date = DEFAULT_START, end: date = DEFAULT_END) -> date:
    span = (end - start).days
    return start + timedelta(days=int(((n * GOLDEN) % 1.0) * (span + 1)))


def shuffle_paragraphs(text: str, rng: random.Random) -> str:
    sep = "\n\n" if "\n\n" in text else "\n"
    parts = text.split(sep)
    if len(parts) < 2:
        return text
    rng.shuffle(parts)
    return sep.join(parts)


def vary(
    rec: dict[str, Any], n: int, copy: int, start: date = DEFAULT_START, end: date = DEFAULT_END
) -> dict[str, Any]:
    """Record ``rec`` as output post ``n`` (0-based), its ``copy``-th use (0 = first)."""
    out = dict(rec)
    out["scale_of"] = rec.get("id")
    out["scale_copy"] = copy
    out["id"] = f"scale-{n:08d}"
    out["published"] = spread_date(n, start, end).isoformat()
    if out.get("url"):
        out["url"] = f"{out['url'].split('#', 1)[0]}#scale-{n}"
    for key in ("translation_of", "translation_id"):
        out.pop(key, None)
    if copy > 0:
        rng = random.Random(n)
        if isinstance(out.get("body"), str):
            out["body"] = shuffle_paragraphs(out["body"], rng)
        if isinstance(out.get("title"), str) and out["title"]:
            out["title"] = f"{out['title']} (copy {copy + 1})"
    return out


class _Cycler:
    """One corpus file, read again from the start whenever it runs out."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.copy = 0
        self._it = read_raw(path)

    def next(self) -> tuple[dict[str, Any], int]:
        for _ in range(2):
            try:
                return next(self._it), self.copy
            except StopIteration:
                self.copy += 1
                self._it = read_raw(self.path)
        raise ValueError(f"{self.path}: no records")


def scaled(
    files: list[Path],
    n: int,
    weights: list[int] | None = None,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
) -> Iterator[dict[str, Any]]:
    """``n`` records from ``files`` (see the module docstring)."""
    if weights is None:
        weights = [count_records(p) for p in files]
    pairs = [(p, w) for p, w in zip(files, weights, strict=True) if w > 0]
    if not pairs:
        raise ValueError("no records in the corpus files")
    cyclers = [_Cycler(p) for p, _ in pairs]
    total = sum(w for _, w in pairs)
    credit = [0] * len(pairs)
    for i in range(n):
        # smooth weighted round robin: every file gets its share, evenly spread
        for j, (_, w) in enumerate(pairs):
            credit[j] += w
        pick = max(range(len(pairs)), key=credit.__getitem__)
        credit[pick] -= total
        rec, copy = cyclers[pick].next()
        yield vary(rec, i, copy, start, end)
