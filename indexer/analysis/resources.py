"""Small data files under ``indexer/analysis/data`` (stop words, lemma fixes, tag synonyms)."""

from __future__ import annotations

import functools
from importlib.resources import files


def read_data(name: str) -> str:
    return files("indexer.analysis").joinpath("data", name).read_text(encoding="utf-8")


def _lines(name: str) -> list[str]:
    # "#" starts a comment; blank lines are ignored
    out = []
    for line in read_data(name).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


@functools.cache
def word_list(name: str) -> frozenset[str]:
    """Whitespace-separated words, any number per line."""
    return frozenset(w for line in _lines(name) for w in line.split())


@functools.cache
def word_map(name: str) -> dict[str, str]:
    """Two whitespace-separated words per line: from -> to."""
    out: dict[str, str] = {}
    for line in _lines(name):
        src, dst = line.split()
        out[src] = dst
    return out


@functools.cache
def word_heads(name: str) -> dict[str, tuple[str, ...]]:
    """A head word and the words after it on its line (lines of one word are skipped)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _lines(name):
        head, *rest = line.split()
        if rest:
            out[head] = tuple(rest)
    return out
