"""``GET /v1/export``: every post matching ``q`` and the filters, streamed as NDJSON or CSV.

* No cap on the count and constant memory: the posts are read in batches of 1,000 from a
  point-in-time snapshot with ``search_after``, and each batch is written out before the next
  is read (``api.query.export_scan``).
* A stable order: ascending post ``id``. A broken download resumes with
  ``resume_after=<the last id received>``: the export continues with the next id, from a fresh
  snapshot. ``X-Total-Count`` gives the number of posts matching (all of them, also when
  resuming); ``X-Export-Remaining`` those after ``resume_after``.
* ``fields=`` picks the columns (an allowlist; the default is in ``api.present.export_rows``),
  ``gzip=true`` compresses the stream (``Content-Type: application/gzip``, file name ``….gz``).
* Errors found before the first byte (bad parameters, Elasticsearch unreachable) get their
  usual status; a failure in the middle ends the stream early, which the count and the last id
  make visible (``api.present.export_stream``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.present.export_rows import DEFAULT_FIELDS, FIELDS, chosen_fields
from api.present.export_stream import download
from api.query.export_scan import open_scan
from api.query.params import Filters, QParam
from api.query.schema import POST_ID_SCHEMA, comma_list
from api.query.term_stats import compile_matching
from api.query.zone import TzParam, zoned
from api.security import require_api_key

router = APIRouter(prefix="/v1", tags=["export"], dependencies=[Depends(require_api_key)])

FormatParam = Annotated[Literal["ndjson", "csv"], Query(description="ndjson (default) or csv")]
FieldsParam = Annotated[
    list[str] | None,
    Query(description=f"comma-separated columns; default {','.join(DEFAULT_FIELDS)}; "
                      f"available: {', '.join(FIELDS)}",
          json_schema_extra=comma_list(FIELDS),
          openapi_examples={"short": {"value": ["id,published,title,url"]}}),
]
GzipParam = Annotated[bool, Query(description="gzip the stream")]
ResumeParam = Annotated[
    str | None,
    Query(max_length=512, json_schema_extra=POST_ID_SCHEMA,
          description="the last id received (a post id: 20 hex digits): continue after it"),
]
EXPORT_RESPONSES = {
    **ERROR_RESPONSES,
    200: {
        "description": "the posts, one per line (NDJSON) or row (CSV), ordered by id",
        "content": {"application/x-ndjson": {}, "text/csv": {}, "application/gzip": {}},
    },
}


@router.get(
    "/export",
    responses=EXPORT_RESPONSES,
    response_class=StreamingResponse,
    summary="Export a whole result set",
)
async def export(
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    format: FormatParam = "ndjson",
    fields: FieldsParam = None,
    gzip: GzipParam = False,
    resume_after: ResumeParam = None,
    tz: TzParam = None,
) -> StreamingResponse:
    names = chosen_fields(fields)
    filters = zoned(filters, tz)  # the filters carry the parsed from/to
    compiled = await compile_matching(es, settings, q, filters)  # the posts /v1/search finds
    scan = await open_scan(es, settings, compiled.query, resume_after)
    return download(scan, names, format, gzip)
