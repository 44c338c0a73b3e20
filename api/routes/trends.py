"""``/v1/trends/*``: timelines, top lists, rising topics and co-occurrence, for dashboards.

Every endpoint takes the ``q`` and filters of /v1/search and answers for exactly the posts
/v1/search would find; the answer's ``query.search`` is that /v1/search request. ``from`` and
``to`` are read in ``tz`` (default Asia/Tokyo): a date is that local day. Answers are JSON, or
a flat CSV table with ``format=csv`` (the query is then in the ``X-Aiposts-Query`` header);
they carry an ETag (honoured with 304) and ``Cache-Control: public, max-age=60`` (``private``
when the API needs a key; ``api.analytics.respond``).

The handlers only read parameters: the queries are in ``api.analytics`` (one module each).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.analytics.ask import analyze
from api.analytics.cooccurrence import CoParams, KindParam, Sort, cooccurrence_table, run_cooccurrence
from api.analytics.models import CooccurrenceResponse, RisingResponse, TimelineResponse, TopResponse
from api.analytics.respond import cacheable_responses
from api.analytics.rising import (
    DEFAULT_RISING_DAYS,
    SCORE_DOC,
    RisingBy,
    RisingParams,
    rising_table,
    run_rising,
)
from api.analytics.timeline import (
    MAX_BUCKETS,
    MAX_COMPARE,
    Interval,
    Split,
    TimelineParams,
    run_timeline,
    timeline_table,
)
from api.analytics.top import TopBy, TopParams, run_top, top_table
from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.query.dates import RANGE, WHEN_SCHEMA
from api.query.params import Filters, QParam
from api.query.schema import ANCHOR_SCHEMA, ENTITY_TYPE_SCHEMA, TZ_SCHEMA
from api.security import require_api_key

router = APIRouter(prefix="/v1/trends", tags=["trends"], dependencies=[Depends(require_api_key)])

# -- parameters -------------------------------------------------------------------------------

TzParam = Annotated[
    str | None,
    Query(
        max_length=64,
        json_schema_extra=TZ_SCHEMA,
        description="time zone of days, weeks, months, years and of date-only from/to: "
        "an IANA name or an offset like +09:00 (default Asia/Tokyo)",
        openapi_examples={"tokyo": {"value": "Asia/Tokyo"}, "utc": {"value": "UTC"}},
    ),
]
FormatParam = Annotated[Literal["json", "csv"], Query(description="json (default) or csv (a flat table)")]
EntityTypeParam = Annotated[
    str | None,
    Query(
        alias="type",
        max_length=40,
        json_schema_extra=ENTITY_TYPE_SCHEMA,
        description="only with by=entity (else 422): only entities of this "
        "type (lab, model_family, model, product, person, benchmark, topic)",
    ),
]
TermLangParam = Annotated[
    Literal["ja", "en"] | None,
    Query(description="only with by=key_term (else 422): only Japanese words (ja) or only the others (en)"),
]
HowManyParam = Annotated[int, Query(ge=1, le=100, description="how many")]

# timeline
IntervalParam = Annotated[
    Interval,
    Query(
        description=f"bucket size; weeks start on Monday. Buckets × (series + 1) may not pass "
        f"{MAX_BUCKETS:,} (else 422)"
    ),
]
SplitParam = Annotated[
    Split | None,
    Query(description="also one series per top tag, entity, source or language; not with compare="),
]
SeriesTopParam = Annotated[int, Query(ge=1, le=20, description="series with split=")]
CompareParam = Annotated[
    list[str] | None,
    Query(
        description=f"a query per series, side by side (repeatable, at most {MAX_COMPARE}); "
        "each is ANDed with q and the filters; not with split= (else 422)",
        openapi_examples={"two": {"value": ["model welfare", "モデル福祉"]}},
    ),
]

# top and rising
TopByParam = Annotated[TopBy, Query(description="what to rank")]
RisingByParam = Annotated[RisingBy, Query(description="what to rank")]
BaselineFromParam = Annotated[
    str | None,
    Query(
        max_length=40,
        json_schema_extra=WHEN_SCHEMA,
        description=f"start of the baseline (a date or a date-time, in tz, on a day in {RANGE}); "
        "without it the baseline is as long as the period, before it or up to baseline_to, "
        "and must stay in that range too (else 422)",
    ),
]
BaselineToParam = Annotated[
    str | None,
    Query(
        max_length=40,
        json_schema_extra=WHEN_SCHEMA,
        description=f"end of the baseline (a date: the whole day counts; a day in {RANGE}); "
        "not before baseline_from",
    ),
]
RisingMinParam = Annotated[int, Query(ge=1, le=1_000_000, description="posts in the period at least")]

# co-occurrence
AnchorParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="the anchor: entity:<id or name> or tag:<tag> (the schema lists the ids; "
        "names and any tag spelling work too)",
        json_schema_extra=ANCHOR_SCHEMA,
        openapi_examples={"entity": {"value": "entity:anthropic"}, "tag": {"value": "tag:model-welfare"}},
    ),
]
KindListParam = Annotated[KindParam, Query(description="what to list")]
ListSizeParam = Annotated[int, Query(ge=1, le=100, description="items per list")]
BothMinParam = Annotated[int, Query(ge=1, le=1_000_000, description="posts with both, at least")]
SortParam = Annotated[Sort, Query(description="order of the lists")]
FamilyParam = Annotated[
    bool, Query(description="entity anchor: also list its descendants (which co-occur by definition)")
]

RISING_DESCRIPTION = (
    "Items whose share of the posts matching q and the filters rose most in the period "
    "(`from`..`to`) against a baseline period (`baseline_from`..`baseline_to`; default: the "
    "period of the same length just before). Without `to` the period ends with the day of the "
    f"newest matching post; without `from` it is {DEFAULT_RISING_DAYS} days long. Candidates are "
    "the items most often carried in the period; their counts in both periods are exact.\n\n" + SCORE_DOC
)

# -- endpoints --------------------------------------------------------------------------------


@router.get(
    "/timeline",
    response_model=TimelineResponse,
    responses={
        **ERROR_RESPONSES,
        **cacheable_responses(
            "series,label,bucket,start,count,all,share\r\n"
            "query,model welfare,2026-06-01,2026-06-01T00:00:00+09:00,3,120,0.025\r\n"
        ),
    },
    summary="Post counts over time",
)
async def timeline(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    interval: IntervalParam = "week",
    tz: TzParam = None,
    split: SplitParam = None,
    top: SeriesTopParam = 5,
    compare: CompareParam = None,
    format: FormatParam = "json",
) -> Response:
    """Posts per day, week, month or year over ``from``..``to`` in ``tz``, every bucket of the
    period present (zeros included). A bucket gives ``count`` (posts matching q and the
    filters), ``all`` (every post in the index in that bucket, no q, no filters) and ``share`` =
    count / all: attention normalized by how much was posted at all.

    Without ``from``/``to`` the period runs from the bucket of the first matching post to the
    bucket of the last; ``total`` is then the /v1/search total, and ``undated`` the matching
    posts without a date. ``split=`` adds a series per top ``top`` tag, entity, source or
    language of the matching posts; ``compare=`` adds one per query instead."""
    params = TimelineParams.read(interval, split, top, compare, format)
    return await analyze(request, es, settings, q, filters, tz, params, run_timeline, timeline_table)


@router.get(
    "/top",
    response_model=TopResponse,
    responses={
        **ERROR_RESPONSES,
        **cacheable_responses("key,label,type,count,share\r\nanthropic,Anthropic,lab,40,0.2\r\n"),
    },
    summary="Top tags, entities, sources or key terms",
)
async def top(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    by: TopByParam = "entity",
    entity_type: EntityTypeParam = None,
    term_lang: TermLangParam = None,
    size: HowManyParam = 10,
    tz: TzParam = None,
    format: FormatParam = "json",
) -> Response:
    """The tags, entities (``entity_ids``: what posts name, optionally of one ``type``),
    sources or key terms most often carried by the posts matching q and the filters in the
    period. ``count`` is posts, ``share`` = count / ``total`` (the posts matching). Key terms
    are the indexer's words in both languages (Japanese ones are whole words such as モデル福祉,
    never single characters or bigrams); ``term_lang=ja`` keeps the Japanese ones."""
    params = TopParams.read(by, entity_type, term_lang, size, format)
    return await analyze(request, es, settings, q, filters, tz, params, run_top, top_table)


@router.get(
    "/rising",
    response_model=RisingResponse,
    responses={
        **ERROR_RESPONSES,
        **cacheable_responses(
            "key,label,type,count,baseline_count,share,baseline_share,change,score\r\n"
            "model-welfare,Model Welfare,,12,2,0.1,0.02,0.08,2.1\r\n"
        ),
    },
    summary="Rising tags, entities or key terms",
    description=RISING_DESCRIPTION,
)
async def rising(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    by: RisingByParam = "entity",
    entity_type: EntityTypeParam = None,
    term_lang: TermLangParam = None,
    baseline_from: BaselineFromParam = None,
    baseline_to: BaselineToParam = None,
    size: HowManyParam = 20,
    min_count: RisingMinParam = 3,
    tz: TzParam = None,
    format: FormatParam = "json",
) -> Response:
    params = RisingParams.read(
        by, entity_type, term_lang, baseline_from, baseline_to, size, min_count, format
    )
    return await analyze(request, es, settings, q, filters, tz, params, run_rising, rising_table)


@router.get(
    "/cooccurrence",
    response_model=CooccurrenceResponse,
    responses={
        **ERROR_RESPONSES,
        **cacheable_responses(
            "kind,key,label,type,count,total,share,lift\r\n"
            "entity,claude,Claude,model_family,25,40,0.6,3.2\r\n"
        ),
    },
    summary="What appears with an entity or a tag",
)
async def cooccurrence(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    of: AnchorParam,
    q: QParam = None,
    kind: KindListParam = "both",
    size: ListSizeParam = 20,
    min_count: BothMinParam = 1,
    sort: SortParam = "count",
    family: FamilyParam = False,
    tz: TzParam = None,
    format: FormatParam = "json",
) -> Response:
    """Over the N posts matching q and the filters in the period: the entities (named in the
    posts) and tags carried together with the anchor. An entity anchor is the entity or any of
    its descendants (as ``entity:`` in q). For each item: ``count`` = posts with both,
    ``total`` = posts with it, ``share`` = count / anchor_count = P(item | anchor), and
    ``lift`` = P(anchor ∧ item) / (P(anchor) P(item)) = count × N / (anchor_count × total):
    above 1 the two appear together more often than chance. Candidates are the items most
    often found with the anchor (more of them with ``sort=lift``); all counts are exact."""
    params = CoParams.read(of, kind, size, min_count, sort, family, format)
    return await analyze(request, es, settings, q, filters, tz, params, run_cooccurrence, cooccurrence_table)
