"""``GET /v1/digest?date=``: one day's posts, most important first, like a daily digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from elasticsearch import AsyncElasticsearch
from fastapi import APIRouter, Depends, Query, Request, Response

from api.analytics.ask import answered, ask
from api.analytics.models import DigestResponse
from api.analytics.period import Period, from_epoch_ms, local_midnight, parse_tz
from api.analytics.respond import CACHE_RESPONSES, csv_answer, csv_content, json_answer
from api.backend import client, guarded, search_timeout, shards_partial
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES
from api.present.highlight import Highlighter
from api.present.hits import HIT_SOURCE, to_hit
from api.query.dates import DAY_SCHEMA, RANGE, read_day
from api.query.params import QParam, SearchFilters, search_filters
from api.query.schema import TZ_SCHEMA
from api.security import require_api_key
from indexer.config import Settings

router = APIRouter(prefix="/v1", tags=["trends"], dependencies=[Depends(require_api_key)])

SORT: list[dict[str, Any]] = [
    {"importance": {"order": "desc", "missing": "_last"}},
    {"published": {"order": "desc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]


@router.get(
    "/digest",
    response_model=DigestResponse,
    responses={
        **ERROR_RESPONSES,
        **CACHE_RESPONSES,
        200: {
            "description": "the digest (JSON), or a CSV table with format=csv",
            "content": csv_content("rank,id,importance,published,source,lang,title,url\r\n"),
        },
    },
    summary="A day's posts by importance",
)
async def digest(
    request: Request,
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    filters: Annotated[SearchFilters, Depends(search_filters)],
    q: QParam = None,
    day: Annotated[
        str | None,
        Query(
            alias="date",
            max_length=10,
            description=f"the day (YYYY-MM-DD, in {RANGE}) in tz; default: the day of the newest "
            "matching post",
            json_schema_extra=DAY_SCHEMA,
            openapi_examples={"day": {"value": "2026-06-05"}},
        ),
    ] = None,
    tz: Annotated[
        str | None,
        Query(max_length=64, json_schema_extra=TZ_SCHEMA,
              description="time zone of the day: an IANA name or an offset like +09:00 (default Asia/Tokyo)"),
    ] = None,
    size: Annotated[int, Query(ge=1, le=100, description="posts to list")] = 20,
    highlight: Annotated[bool, Query(description="with q: snippets with the matches marked")] = True,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Response:
    """The posts published on ``date`` (a day in ``tz``) that match q and the filters, ranked
    by importance (5 first; posts without one last), then newest first, then by id.
    ``by_importance`` counts the day's posts per level."""
    zone = parse_tz(tz)
    d: date | None = None
    if day is not None and day.strip():
        d = read_day("date", day)
    a = ask(request, q, filters, tz)
    es_client = client(es, settings)
    resps: list[Any] = []
    if d is None:
        probe = await guarded(
            es,
            settings,
            es_client.search(
                index=settings.index,
                size=0,
                query=a.query(),
                timeout=search_timeout(settings),
                aggs={"last": {"max": {"field": "published"}}},
            ),
        )
        resps.append(probe)
        last = ((probe.get("aggregations") or {}).get("last") or {}).get("value")
        newest = from_epoch_ms(last) if last is not None else datetime.now(zone.info)
        d = newest.astimezone(zone.info).date()
    day_period = Period(local_midnight(d, zone), local_midnight(d + timedelta(days=1), zone))
    # the day, within from/to when they are given too
    clauses = [c for c in (a.period.clause(),) if c is not None]
    resp = await guarded(
        es,
        settings,
        es_client.search(
            index=settings.index,
            query=a.query(day_period, *clauses),
            sort=SORT,
            size=size,
            source=HIT_SOURCE,
            track_total_hits=True,
            timeout=search_timeout(settings),
            aggs={
                "imp": {"terms": {"field": "importance", "size": 10}},
                "none": {"missing": {"field": "importance"}},
            },
        ),
    )
    resps.append(resp)
    aggs = resp.get("aggregations") or {}
    by_importance = {str(level): 0 for level in range(5, 0, -1)}
    for b in (aggs.get("imp") or {}).get("buckets", []):
        by_importance[str(b["key"])] = int(b["doc_count"])
    by_importance["none"] = int((aggs.get("none") or {}).get("doc_count", 0))
    highlighter = Highlighter(a.compiled.highlight, a.compiled.entity_ids) if highlight and q else None
    posts = [to_hit(h, highlighter, with_score=False) for h in resp["hits"]["hits"]]
    params: list[tuple[str, Any]] = [
        ("date", d.isoformat()),
        ("size", size),
        ("highlight", highlight),
        ("format", format),
    ]
    echo = answered(
        a,
        "/v1/digest",
        params,
        period=day_period
        if a.period.clause() is None
        else Period(
            max(day_period.start, a.period.start or day_period.start),  # type: ignore[type-var]
            min(day_period.end, a.period.end or day_period.end),
        ),
    )  # type: ignore[type-var]
    body = DigestResponse(
        query=echo,
        date=d.isoformat(),
        total=int(resp["hits"]["total"]["value"]),
        by_importance=by_importance,
        posts=posts,
        timed_out=any(bool(r.get("timed_out")) for r in resps),
        partial=any(shards_partial(r) for r in resps),
    )
    if format == "csv":
        rows = [
            [
                n,
                p.id,
                p.importance,
                p.published.isoformat() if p.published else None,
                p.source,
                p.lang,
                p.title,
                p.url,
            ]
            for n, p in enumerate(posts, 1)
        ]
        columns = ["rank", "id", "importance", "published", "source", "lang", "title", "url"]
        return csv_answer(request, columns, rows, echo.canonical, f"digest-{d.isoformat()}.csv")
    return json_answer(request, body)
