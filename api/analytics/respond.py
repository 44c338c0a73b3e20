"""Cacheable answers: JSON or CSV bodies with a strong ETag and Cache-Control.

The ETag is a digest of the body, so two requests that get the same answer get the same tag;
``If-None-Match`` with it gives a 304 without a body. Answers are ``public, max-age=60``, or
``private`` when the API needs a key (a shared cache must not hand them to anyone).
Bodies never hold timings, so an unchanged index gives an unchanged tag.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Request, Response
from pydantic import BaseModel

from api.security import configured_keys

MAX_AGE = 60
CSV_MEDIA = "text/csv; charset=utf-8"
QUERY_HEADER = "X-Aiposts-Query"

# for ``responses=`` of the routes
CACHE_RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "not modified: the If-None-Match tag is the current one"},
}


def csv_content(description: str) -> dict[str, Any]:
    return {"text/csv": {"schema": {"type": "string"}, "example": description}}


def cacheable_responses(
    csv_example: str, description: str = "the answer (JSON), or a CSV table with format=csv"
) -> dict[int | str, dict[str, Any]]:
    """For ``responses=`` (after the error responses): the 304, and the 200 in JSON or, with
    format=csv, a table like ``csv_example``."""
    return {**CACHE_RESPONSES, 200: {"description": description, "content": csv_content(csv_example)}}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    for part in header.split(","):
        tag = part.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def cache_control(request: Request) -> str:
    keys = configured_keys(request.app.state.settings)
    return f"{'private' if keys else 'public'}, max-age={MAX_AGE}"


def cached(request: Request, body: bytes, media_type: str, headers: dict[str, str] | None = None) -> Response:
    """``body`` with ETag and Cache-Control, or a 304 when the client has it already."""
    etag = etag_of(body)
    out = {"ETag": etag, "Cache-Control": cache_control(request), **(headers or {})}
    if configured_keys(request.app.state.settings):
        out["Vary"] = "Authorization, X-API-Key"
    inm = request.headers.get("if-none-match")
    if inm and _matches(inm, etag):
        return Response(status_code=304, headers=out)
    return Response(content=body, media_type=media_type, headers=out)


def json_answer(request: Request, model: BaseModel) -> Response:
    data = model.model_dump(mode="json", by_alias=True)
    return cached(request, orjson.dumps(data), "application/json")


def csv_answer(
    request: Request, columns: Sequence[str], rows: Iterable[Sequence[Any]], query: str, filename: str
) -> Response:
    """A flat table; the query it answered is in the ``X-Aiposts-Query`` header (URL-encoded)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return cached(
        request,
        buf.getvalue().encode("utf-8"),
        CSV_MEDIA,
        headers={
            QUERY_HEADER: query,
            "Content-Disposition": f'inline; filename="{filename}"',
        },
    )


@dataclass(frozen=True)
class Table:
    """An answer as a flat CSV table, and the query it answers (``canonical``)."""

    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]
    query: str
    filename: str


Body = TypeVar("Body", bound=BaseModel)


def answer(request: Request, body: Body, format: str, table: Callable[[Body], Table]) -> Response:
    """``body`` as JSON, or as ``table(body)`` with format=csv."""
    if format != "csv":
        return json_answer(request, body)
    t = table(body)
    return csv_answer(request, t.columns, t.rows, t.query, t.filename)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    return value


def query_string(params: Iterable[tuple[str, Any]]) -> str:
    """``k=v&...`` of the non-empty values, in order (lists repeat their key)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params:
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, str(v)) for v in value)
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs)
