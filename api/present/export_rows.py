"""The columns of ``/v1/export`` and the rows they make: NDJSON lines or CSV rows, gzipped
on request.

``FIELDS`` is the allowlist of ``fields=``: each name says which ``_source`` paths it needs
(so an export reads only those) and how its value is taken from a post.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from api.query.choices import chosen


def _text(src: dict[str, Any], lang: str, part: str) -> str:
    return ((src.get("texts") or {}).get(lang) or {}).get(part) or ""


def _either(src: dict[str, Any], part: str) -> str:
    return _text(src, "ja", part) or _text(src, "en", part)


# name -> (the _source paths it needs, how to get the value)
FIELDS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], Any]]] = {
    "id": (("id",), lambda s: s.get("id")),
    "url": (("url",), lambda s: s.get("url")),
    "published": (("published",), lambda s: s.get("published")),
    "source": (("source",), lambda s: s.get("source")),
    "authors": (("authors",), lambda s: s.get("authors") or []),
    "lang": (("lang",), lambda s: s.get("lang")),
    "langs": (("langs",), lambda s: s.get("langs") or []),
    "doc_type": (("doc_type",), lambda s: s.get("doc_type")),
    "importance": (("importance",), lambda s: s.get("importance")),
    "title": (("texts.ja.title", "texts.en.title"), lambda s: _either(s, "title")),
    "title_ja": (("texts.ja.title",), lambda s: _text(s, "ja", "title")),
    "title_en": (("texts.en.title",), lambda s: _text(s, "en", "title")),
    "summary": (("texts.ja.summary", "texts.en.summary"), lambda s: _either(s, "summary")),
    "summary_ja": (("texts.ja.summary",), lambda s: _text(s, "ja", "summary")),
    "summary_en": (("texts.en.summary",), lambda s: _text(s, "en", "summary")),
    "body_ja": (("texts.ja.body",), lambda s: _text(s, "ja", "body")),
    "body_en": (("texts.en.body",), lambda s: _text(s, "en", "body")),
    "tags": (("tag_keys",), lambda s: s.get("tag_keys") or []),
    "tag_labels": (("tags",), lambda s: [t.get("display") for t in s.get("tags") or []]),
    "entities": (("entity_ids",), lambda s: s.get("entity_ids") or []),
    "entity_types": (("entity_types",), lambda s: s.get("entity_types") or []),
    "key_terms": (("key_terms",), lambda s: s.get("key_terms") or []),
    "reading_minutes": (("reading_minutes",), lambda s: s.get("reading_minutes")),
    "translation_of": (("translation_of",), lambda s: s.get("translation_of")),
    "collection": (("collection",), lambda s: s.get("collection")),
    "content_hash": (("content_hash",), lambda s: s.get("content_hash")),
}
DEFAULT_FIELDS = ("id", "published", "source", "lang", "doc_type", "title", "url", "tags", "entities")


def chosen_fields(raw: list[str] | None) -> list[str]:
    """The columns asked for (``fields=``, comma-separated), or the default ones."""
    return chosen("fields", raw, FIELDS, "field") or list(DEFAULT_FIELDS)


def source_paths(names: Iterable[str]) -> list[str]:
    """The ``_source`` paths the columns ``names`` need (and ``id``, which orders the export)."""
    return sorted({p for n in names for p in FIELDS[n][0]} | {"id"})


class RowEncoder:
    """Posts to bytes in ``fmt`` (``ndjson`` or ``csv``), through one gzip stream when asked."""

    def __init__(self, fmt: str, fields: list[str], gzip: bool) -> None:
        self.fmt = fmt
        self.fields = fields
        self._z = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None

    def _out(self, data: bytes) -> bytes:
        return self._z.compress(data) if self._z is not None else data

    def header(self) -> bytes:
        if self.fmt != "csv":
            return b""
        return self._out(self._csv_row(self.fields))

    @staticmethod
    def _csv_row(values: list[Any]) -> bytes:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(values)
        return buf.getvalue().encode("utf-8")

    def rows(self, sources: list[dict[str, Any]]) -> bytes:
        parts: list[bytes] = []
        for src in sources:
            values = {name: FIELDS[name][1](src) for name in self.fields}
            if self.fmt == "csv":
                parts.append(self._csv_row([
                    "|".join(str(x) for x in v) if isinstance(v, list) else ("" if v is None else v)
                    for v in values.values()
                ]))
            else:
                parts.append(orjson.dumps(values) + b"\n")
        return self._out(b"".join(parts))

    def end(self) -> bytes:
        return self._z.flush() if self._z is not None else b""
