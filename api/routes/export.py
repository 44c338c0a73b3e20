"""``GET /v1/export``: every post matching ``q`` and the filters, streamed as NDJSON or CSV.

* No cap on the count and constant memory: the posts are read in batches of 1,000 from a
  point-in-time snapshot with ``search_after``, and each batch is written out before the next
  is read.
* A stable order: ascending post ``id``. A broken download resumes with
  ``resume_after=<the last id received>``: the export continues with the next id, from a fresh
  snapshot. ``X-Total-Count`` gives the number of posts matching (all of them, also when
  resuming); ``X-Export-Remaining`` those after ``resume_after``.
* ``fields=`` picks the columns (an allowlist; the default is below), ``gzip=true``
  compresses the stream (``Content-Type: application/gzip``, file name ``….gz``).
* Errors found before the first byte (bad parameters, Elasticsearch unreachable) get their
  usual status; a failure in the middle ends the stream early, which the count and the last id
  make visible.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

import orjson
from elasticsearch import ApiError, AsyncElasticsearch
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from api.backend import client, guarded
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES
from api.query.params import QParam, SearchFilters, compile_search, search_filters
from api.query.schema import POST_ID_SCHEMA, comma_list
from api.query.zone import TzParam, zoned
from api.security import require_api_key
from indexer.config import Settings

log = logging.getLogger("aiposts.api")

router = APIRouter(prefix="/v1", tags=["export"], dependencies=[Depends(require_api_key)])

BATCH = 1000
PIT_KEEP_ALIVE = "5m"


async def _open_pit(es: AsyncElasticsearch, settings: Settings) -> str:
    resp = await guarded(
        es, settings, client(es, settings).open_point_in_time(index=settings.index, keep_alive=PIT_KEEP_ALIVE)
    )
    return str(resp["id"])


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
    names: list[str] = []
    for item in raw or []:
        for name in item.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in FIELDS:
                raise RequestValidationError(
                    [{"type": "value_error", "loc": ("query", "fields"),
                      "msg": f"unknown field {name!r}; choose from {', '.join(FIELDS)}", "input": item}]
                )
            if name not in names:
                names.append(name)
    return names or list(DEFAULT_FIELDS)


class _Encoder:
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


@router.get(
    "/export",
    responses={
        **ERROR_RESPONSES,
        200: {
            "description": "the posts, one per line (NDJSON) or row (CSV), ordered by id",
            "content": {"application/x-ndjson": {}, "text/csv": {}, "application/gzip": {}},
        },
    },
    response_class=StreamingResponse,
    summary="Export a whole result set",
)
async def export(
    request: Request,
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    filters: Annotated[SearchFilters, Depends(search_filters)],
    q: QParam = None,
    format: Annotated[Literal["ndjson", "csv"], Query(description="ndjson (default) or csv")] = "ndjson",
    fields: Annotated[
        list[str] | None,
        Query(description=f"comma-separated columns; default {','.join(DEFAULT_FIELDS)}; "
                          f"available: {', '.join(FIELDS)}",
              json_schema_extra=comma_list(FIELDS),
              openapi_examples={"short": {"value": ["id,published,title,url"]}}),
    ] = None,
    gzip: Annotated[bool, Query(description="gzip the stream")] = False,
    resume_after: Annotated[
        str | None,
        Query(max_length=512, json_schema_extra=POST_ID_SCHEMA,
              description="the last id received (a post id: 20 hex digits): continue after it"),
    ] = None,
    tz: TzParam = None,
) -> StreamingResponse:
    names = chosen_fields(fields)
    filters, _ = zoned(request, filters, tz)
    query = compile_search(q, filters).query
    constant = {"bool": {"filter": [query]}}  # no scores: cheaper, and the order is by id
    es_client = client(es, settings)
    count = await guarded(es, settings, es_client.count(index=settings.index, query=constant))
    total = int(count["count"])
    remaining = total
    if resume_after:
        after = {"bool": {"filter": [query, {"range": {"id": {"gt": resume_after}}}]}}
        left = await guarded(es, settings, es_client.count(index=settings.index, query=after))
        remaining = int(left["count"])
    pit = await _open_pit(es, settings)
    paths = sorted({p for n in names for p in FIELDS[n][0]} | {"id"})
    encoder = _Encoder(format, names, gzip)

    async def stream() -> AsyncIterator[bytes]:
        nonlocal pit
        after: list[Any] | None = [resume_after] if resume_after else None
        try:
            head = encoder.header()
            if head:
                yield head
            while True:
                body: dict[str, Any] = {
                    "query": constant,
                    "sort": [{"id": {"order": "asc"}}],
                    "size": BATCH,
                    "source": paths,
                    "track_total_hits": False,
                    "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE},
                }
                if after is not None:
                    body["search_after"] = after
                try:
                    resp = await guarded(es, settings, es_client.search(**body))
                except ApiError:  # the snapshot expired (a slow reader): a new one, same place
                    pit = await _open_pit(es, settings)
                    body["pit"] = {"id": pit, "keep_alive": PIT_KEEP_ALIVE}
                    resp = await guarded(es, settings, es_client.search(**body))
                pit = str(resp.get("pit_id") or pit)
                hits = resp["hits"]["hits"]
                if not hits:
                    break
                chunk = encoder.rows([h.get("_source") or {} for h in hits])
                if chunk:
                    yield chunk
                after = list(hits[-1]["sort"])[:1]  # the id (not the PIT's implicit tiebreaker)
                if len(hits) < BATCH:
                    break
            tail = encoder.end()
            if tail:
                yield tail
        except Exception:  # the status line is gone: end the stream; the client resumes
            log.exception("export stopped early")
        finally:
            with contextlib.suppress(Exception):  # an expired snapshot needs no closing
                await es.options(request_timeout=5, max_retries=0).close_point_in_time(id=pit)

    ext = "csv" if format == "csv" else "ndjson"
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    filename = f"aiposts-export.{ext}"
    if gzip:
        media, filename = "application/gzip", filename + ".gz"
    return StreamingResponse(
        stream(),
        media_type=media,
        headers={
            "X-Total-Count": str(total),
            "X-Export-Remaining": str(remaining),
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
