"""Input readers: every format becomes a stream of ``Parsed`` posts and ``Reject``s.

No reader raises on bad data; a file that cannot be read at all is one Reject naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from indexer.sources import _io
from indexer.sources.base import Location, Parsed, Reject
from indexer.sources.feed import read_feed
from indexer.sources.jsonl import read_jsonl
from indexer.sources.markdown import read_markdown
from indexer.sources.page import read_page

FORMATS = ("page", "jsonl", "markdown", "feed")

Reader = Callable[[Path], Iterator[Parsed | Reject]]
READERS: dict[str, Reader] = {
    "page": read_page,
    "jsonl": read_jsonl,
    "markdown": read_markdown,
    "feed": read_feed,
}
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".txt": "page",
}


def format_by_suffix(path: Path) -> str | None:
    name = path.name.lower().removesuffix(".gz")
    return _SUFFIXES.get(Path(name).suffix)


def _sniff(path: Path) -> str | None:
    """Guess from the first bytes when the name says nothing."""
    try:
        sample = _io.head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except _io.READ_ERRORS:
        return None
    if b"<rss" in sample or b"<feed" in sample or b"<rdf:RDF" in sample:
        return "feed"
    if sample.startswith(b"{"):
        return "jsonl"
    if sample.startswith(b"---\n") or sample.startswith(b"---\r\n"):
        return "markdown"
    return None


def detect_format(path: Path) -> str | None:
    """By suffix (after a ``.gz``), else by content; None when neither tells."""
    return format_by_suffix(path) or _sniff(path)


_NOT_POSTS = frozenset({"readme", "license", "licence", "changelog", "contributing"})


def _skipped(path: Path, root: Path) -> bool:
    """Hidden files/folders, and a folder's own docs (README.md describes data, is not data)."""
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return True
    return path.name.split(".")[0].lower() in _NOT_POSTS


def iter_files(paths: Iterable[Path], fmt: str = "auto") -> Iterator[Path]:
    """Files to read, in order. Folders are walked recursively and sorted; inside them hidden
    files and README/LICENSE/CHANGELOG/CONTRIBUTING files are skipped, and only files whose
    suffix belongs to ``fmt`` (any known format under ``auto``) are taken. A path named
    explicitly is always yielded, even if missing, so the reader can reject it by name."""
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            yield path
            continue
        for f in sorted(path.rglob("*")):
            if not f.is_file() or _skipped(f, path):
                continue
            found = format_by_suffix(f)
            if found is not None and fmt in ("auto", found):
                yield f


_WHOLE_FILE = frozenset({"page", "markdown"})  # one file, one post: a binary head sinks the file


def _raw_head(path: Path) -> bytes:
    """The file's first bytes for a whole-file Reject (the rejects file keeps them, capped)."""
    try:
        return _io.head(path, _io.RAW_CAP) if path.is_file() else b""
    except _io.READ_ERRORS:
        return b""


def read_file(path: Path, fmt: str = "auto") -> Iterator[Parsed | Reject]:
    """One file; problems with the file as a whole become a single Reject. Only whole-file
    formats (and files of no known format) are sniffed for binary data up front: JSON Lines
    and feeds judge each record on its own, so a bad line cannot take the good ones down."""
    name = str(path)
    if fmt != "auto" and fmt not in READERS:
        yield Reject(Location(name), f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
        return
    chosen = fmt if fmt != "auto" else detect_format(path) if path.is_file() else None
    problem = _io.file_problem(path, sniff_binary=chosen is None or chosen in _WHOLE_FILE)
    if problem is not None:
        yield Reject(Location(name), problem, _raw_head(path))
        return
    if chosen is None:
        yield Reject(Location(name), f"unknown format (suffix {path.suffix!r}); name one of "
                     f"{', '.join(FORMATS)}", _raw_head(path))
        return
    try:
        yield from READERS[chosen](path)
    except Exception as e:  # a reader bug must not end the run: report it against the file
        yield Reject(Location(name), f"{chosen} reader failed: {type(e).__name__}: {e}", _raw_head(path))


def read_records(paths: list[Path], fmt: str = "auto") -> Iterator[Parsed | Reject]:
    for path in iter_files(paths, fmt):
        yield from read_file(path, fmt)


__all__ = [
    "FORMATS",
    "READERS",
    "Location",
    "Parsed",
    "Reject",
    "detect_format",
    "iter_files",
    "read_file",
    "read_records",
]
