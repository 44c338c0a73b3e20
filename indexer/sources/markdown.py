"""Markdown files with optional YAML front matter: one file, one post.

Front matter keys: title, date (or published), tags (or topics/categories/keywords), authors
(or author), lang, url (or link), source, summary (or description/excerpt), id, doc_type.
The body is the Markdown after the front matter, kept as written. Without a title, the first
``# `` heading outside code fences is the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from indexer.post import Post, make_post_id
from indexer.sources._common import doc_type, make_tags, nothing_to_index, read_whole, single_text
from indexer.sources._dates import to_datetime
from indexer.sources.base import Location, Parsed, Reject, SourceError


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so ``to_datetime`` applies one policy everywhere
    and an impossible date is reported with its value."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def _first(meta: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if meta.get(k) not in (None, ""):
            return meta[k]
    return None


def _string(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip() or None
    raise SourceError(f"front matter {key}: expected text, got {type(value).__name__}")


def _strings(value: Any, key: str) -> list[str]:
    """A YAML list, or one comma-separated string (``tags: a, b``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, dict) and "name" in v:  # authors as {name: ..., url: ...}
                v = v["name"]
            out.append(_string(v, key) or "")
        return [s for s in out if s]
    raise SourceError(f"front matter {key}: expected a list or text, got {type(value).__name__}")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body). Raises SourceError for bad or unclosed YAML."""
    meta, body, _ = front_matter_with_lines(text)
    return meta, body


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Top-level key -> its line in the file (line 1 is the opening ``---``)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def front_matter_with_lines(text: str) -> tuple[dict[str, Any], str, dict[str, int]]:
    """(front matter, body, line of each front matter key). Raises SourceError for bad or
    unclosed YAML."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text, {}
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    except StopIteration:
        raise SourceError("front matter starts with '---' but is never closed") from None
    loader = _Loader("\n".join(lines[1:end]))  # a SafeLoader
    try:
        node = loader.get_single_node()  # the node tree knows each key's line
        meta = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise SourceError(f"bad YAML front matter{where}: {problem}",
                          line=mark.line + 2 if mark is not None else 1) from None
    finally:
        loader.dispose()
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError(f"front matter is not a mapping (got {type(meta).__name__})", line=1)
    return meta, "\n".join(lines[end + 1 :]), _key_lines(node)


def first_heading(body: str) -> str:
    fenced = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := _H1.match(line)):
            return m.group(1)
    return ""


def _published(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str | date):  # YAML gives date/datetime objects for unquoted dates
        raise SourceError(f"front matter date: expected a date, got {type(value).__name__}")
    try:
        return to_datetime(value)
    except ValueError as e:
        raise SourceError(f"front matter date: {e}") from None


def parse_markdown(text: str, path: str) -> Post:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    meta, body, key_lines = front_matter_with_lines(text)
    try:
        return _post(meta, body.strip("\n"))
    except SourceError as e:
        # report the line of the offending key, not the top of the file
        key = next((k for k in key_lines if str(e).startswith(f"front matter {_FIELD_OF.get(k, k)}:")), None)
        if key is None or e.line is not None:
            raise
        raise SourceError(str(e), line=key_lines[key]) from None


# front matter key -> the name its errors go by (aliases report under the field they fill)
_FIELD_OF = {"published": "date", "pubDate": "date", "author": "authors", "link": "url",
             "topics": "tags", "categories": "tags", "keywords": "tags",
             "description": "summary", "excerpt": "summary"}


def _post(meta: dict[str, Any], body: str) -> Post:
    title = _string(_first(meta, "title"), "title") or first_heading(body)
    summary = _string(_first(meta, "summary", "description", "excerpt"), "summary") or ""
    texts = single_text(title, summary, body, meta.get("lang"))
    if nothing_to_index(texts):
        raise SourceError("nothing to index: no title and no text")
    published = _published(_first(meta, "date", "published", "pubDate"))
    url = _string(_first(meta, "url", "link"), "url")
    source = _string(_first(meta, "source"), "source")
    pid = _string(_first(meta, "id"), "id")
    return Post(
        id=pid or make_post_id(url, source, title, published),
        url=url,
        doc_type=doc_type(meta.get("doc_type")),
        texts=texts,
        source=source,
        authors=_strings(_first(meta, "authors", "author"), "authors"),
        published=published,
        tags=make_tags(_strings(_first(meta, "tags", "topics", "categories", "keywords"), "tags")),
    )


def read_markdown(path: Path) -> Iterator[Parsed | Reject]:
    yield from read_whole(path, Location(str(path), line=1), lambda text: parse_markdown(text, str(path)))
