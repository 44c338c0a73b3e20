"""``GET /v1/digest?date=``: one day's posts, most important first, like a daily digest.

The handler only reads parameters: the query is in ``api.analytics.digest``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.analytics.ask import analyze
from api.analytics.digest import DigestParams, digest_table, run_digest
from api.analytics.models import DigestResponse
from api.analytics.respond import cacheable_responses
from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.query.dates import DAY_SCHEMA, RANGE
from api.query.params import Filters, QParam
from api.query.schema import TZ_SCHEMA
from api.security import require_api_key

router = APIRouter(prefix="/v1", tags=["trends"], dependencies=[Depends(require_api_key)])

DayParam = Annotated[
    str | None,
    Query(
        alias="date",
        max_length=10,
        description=f"the day (YYYY-MM-DD, in {RANGE}) in tz; default: the day of the newest "
        "matching post",
        json_schema_extra=DAY_SCHEMA,
        openapi_examples={"day": {"value": "2026-06-05"}},
    ),
]
TzParam = Annotated[
    str | None,
    Query(
        max_length=64,
        json_schema_extra=TZ_SCHEMA,
        description="time zone of the day: an IANA name or an offset like +09:00 (default Asia/Tokyo)",
    ),
]
SizeParam = Annotated[int, Query(ge=1, le=100, description="posts to list")]
HighlightParam = Annotated[bool, Query(description="with q: snippets with the matches marked")]
FormatParam = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


@router.get(
    "/digest",
    response_model=DigestResponse,
    responses={
        **ERROR_RESPONSES,
        **cacheable_responses(
            "rank,id,importance,published,source,lang,title,url\r\n",
            description="the digest (JSON), or a CSV table with format=csv",
        ),
    },
    summary="A day's posts by importance",
)
async def digest(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    day: DayParam = None,
    tz: TzParam = None,
    size: SizeParam = 20,
    highlight: HighlightParam = True,
    format: FormatParam = "json",
) -> Response:
    """The posts published on ``date`` (a day in ``tz``) that match q and the filters, ranked
    by importance (5 first; posts without one last), then newest first, then by id.
    ``by_importance`` counts the day's posts per level."""
    params = DigestParams.read(day, tz, size, highlight, format)
    return await analyze(request, es, settings, q, filters, tz, params, run_digest, digest_table)
