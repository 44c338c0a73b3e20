"""A cheap count of the posts in the inputs, for the progress bar's ETA (terminals only)."""

from __future__ import annotations

from pathlib import Path

from indexer.sources import detect_format, iter_files
from indexer.sources._io import READ_ERRORS, open_binary

_ITEM_MARKERS = (b"<item", b"<entry")


def _count(path: Path, fmt: str) -> int:
    kind = detect_format(path) if fmt == "auto" else fmt
    if kind not in ("jsonl", "feed"):
        return 1
    n = 0
    with open_binary(path) as f:
        while chunk := f.read(1 << 20):
            if kind == "jsonl":
                n += chunk.count(b"\n")
            else:
                n += sum(chunk.count(m) for m in _ITEM_MARKERS)
    return max(n, 1)


def estimate_posts(paths: list[Path], fmt: str = "auto") -> int | None:
    total = 0
    for path in iter_files(paths, fmt):
        try:
            total += _count(path, fmt)
        except READ_ERRORS:
            total += 1
    return total or None
