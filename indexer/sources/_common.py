"""Small pieces every reader needs: tags, per-language texts, doc types, error wording."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from indexer.analysis import detect_lang, tag_key  # light names: no tokenizer is loaded
from indexer.post import DocType, Lang, LangText, Post, Tag
from indexer.sources import _encoding, _io
from indexer.sources.base import Location, Parsed, Reject, SourceError

DOC_TYPES: tuple[str, ...] = (
    "post",
    "aggregator_page",
    "newsletter_issue",
    "news_item",
    "feed_item",
)
_DOC_TYPE_ALIASES = {
    "article": "post",
    "blog": "post",
    "blog_post": "post",
    "page": "aggregator_page",
    "newsletter": "newsletter_issue",
    "issue": "newsletter_issue",
    "news": "news_item",
    "item": "feed_item",
    "rss": "feed_item",
}


def doc_type(value: object, default: DocType = "post") -> DocType:
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise SourceError(f"doc_type must be a string, got {type(value).__name__}")
    key = value.strip().lower().replace("-", "_")
    key = _DOC_TYPE_ALIASES.get(key, key)
    if key not in DOC_TYPES:
        raise SourceError(f"unknown doc_type {value!r} (expected one of {', '.join(DOC_TYPES)})")
    return key  # type: ignore[return-value]


def make_tags(displays: Iterable[str]) -> list[Tag]:
    """Tags as written (leading '#' and spaces dropped), one per key, first spelling wins."""
    out: list[Tag] = []
    seen: set[str] = set()
    for raw in displays:
        display = raw.strip().lstrip("#").strip()
        if not display:
            continue
        key = tag_key(display)
        if key and key not in seen:
            seen.add(key)
            out.append(Tag(display=display, key=key))
    return out


def text_lang(text: str, declared: object = None) -> Lang:
    """The language of a text block by its script; the declared one only breaks ties."""
    found = detect_lang(text)
    if found:
        return found
    return declared if declared in ("ja", "en") else "en"  # type: ignore[return-value]


def single_text(title: str, summary: str, body: str, declared: object = None) -> dict[Lang, LangText]:
    """One record's text under the language of the whole (an English title over a Japanese
    body is a Japanese post)."""
    t = LangText(title=title.strip(), summary=summary.strip(), body=body.strip("\n"))
    if t.is_empty():
        return {}
    return {text_lang(t.joined(), declared): t}


def nothing_to_index(texts: dict[Lang, LangText]) -> bool:
    return all(t.is_empty() for t in texts.values())


def validation_reason(e: ValidationError, limit: int = 300) -> str:
    parts = []
    for err in e.errors():
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    reason = "; ".join(parts)
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def join_lines(lines: Iterable[str]) -> str:
    """Lines back into text, runs of blank lines collapsed to one (removed chrome leaves gaps)."""
    text = "\n".join(lines)
    return re.sub(r"\n[ \t]*(?:\n[ \t]*){2,}", "\n\n", text).strip()


def read_bytes(path: Path, loc: Location) -> bytes | Reject:
    """The whole file's bytes (up to the whole-file cap), or the Reject that says why not."""
    try:
        return _io.read_all(path)
    except (*_io.READ_ERRORS, ValueError) as e:
        return Reject(loc, f"cannot read file: {e}")


def read_whole(path: Path, loc: Location, parse: Callable[[str], Post]) -> Iterator[Parsed | Reject]:
    """Read, check and decode a whole file, then parse it into one post or one Reject.

    The encoding is UTF-8, a byte order mark's, or a legacy Japanese one (see ``_encoding``);
    the Parsed or Reject names it."""
    data = read_bytes(path, loc)
    if isinstance(data, Reject):
        yield data
        return
    if not data.strip():
        yield Reject(loc, "empty file", _io.cap(data))
        return
    name = str(path)
    # the whole file, not a head: a NUL deep inside must not slip through into the index
    wide = _encoding.is_wide(_encoding.bom_codec(data))
    nul = -1 if wide else data.find(b"\x00")
    why = _io.binary_reason(data[: _io.SNIFF])
    if why is None and nul >= 0:
        why = "binary data (NUL bytes), not a text file"
    if why is not None:
        yield Reject(Location(name, offset=nul if nul >= 0 else None), why, _io.cap(data))
        return
    try:
        text, codec = _encoding.decode(data)
    except _encoding.Undecodable as e:
        yield Reject(Location(name, offset=e.offset), str(e), _io.cap(data))
        return
    encoding = None if codec in ("utf-8", "utf-8-sig") else _encoding.display_name(codec)
    try:
        yield Parsed(parse(text), loc, encoding=encoding)
    except SourceError as e:
        where = Location(name, line=e.line) if e.line is not None else loc
        yield Reject(where, str(e), _io.cap(data), encoding=encoding)
    except ValidationError as e:
        yield Reject(loc, validation_reason(e), _io.cap(data), encoding=encoding)
