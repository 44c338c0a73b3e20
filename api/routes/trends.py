"""``/v1/trends/*``: timelines, top lists, rising topics and co-occurrence, for dashboards.

Every endpoint takes the ``q`` and filters of /v1/search and answers for exactly the posts
/v1/search would find; the answer's ``query.search`` is that /v1/search request. ``from`` and
``to`` are read in ``tz`` (default Asia/Tokyo): a date is that local day. Answers are JSON, or
a flat CSV table with ``format=csv`` (the query is then in the ``X-Aiposts-Query`` header);
they carry an ETag (honoured with 304) and ``Cache-Control: public, max-age=60``.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from elasticsearch import AsyncElasticsearch
from fastapi import APIRouter, Depends, Query, Request, Response

from api.analytics import terms as T
from api.analytics.ask import Ask, answered, ask, compile_extra
from api.analytics.models import (
    Anchor,
    CoItem,
    CooccurrenceResponse,
    PeriodCount,
    RisingItem,
    RisingResponse,
    SeriesBucket,
    TimelineBucket,
    TimelineResponse,
    TimelineSeries,
    TopItem,
    TopResponse,
)
from api.analytics.period import (
    ONE_MS,
    Period,
    bucket_label,
    count_buckets,
    epoch_ms,
    floor,
    from_epoch_ms,
    invalid,
    iso,
    local_midnight,
    period_from_params,
    step,
)
from api.analytics.respond import CACHE_RESPONSES, csv_answer, csv_content, json_answer
from api.backend import client, guarded, search_timeout, shards_partial
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES
from api.query import entities
from api.query.dates import RANGE, WHEN_SCHEMA, moved
from api.query.params import MAX_Q_CHARS, QParam, SearchFilters, search_filters
from api.query.schema import ANCHOR_SCHEMA, ENTITY_TYPE_SCHEMA, TZ_SCHEMA
from api.security import require_api_key
from indexer.analysis.tags import tag_key
from indexer.config import Settings

router = APIRouter(prefix="/v1/trends", tags=["trends"], dependencies=[Depends(require_api_key)])

MAX_BUCKETS = 40_000  # buckets × series per timeline (Elasticsearch allows 65,536 per search)
MAX_COMPARE = 10
DEFAULT_RISING_DAYS = 30
SMOOTHING = 1.0

Es = Annotated[AsyncElasticsearch, Depends(get_es)]
Conf = Annotated[Settings, Depends(get_settings)]
Filters = Annotated[SearchFilters, Depends(search_filters)]
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


def responses(csv_example: str) -> dict[int | str, dict[str, Any]]:
    return {
        **ERROR_RESPONSES,
        **CACHE_RESPONSES,
        200: {
            "description": "the answer (JSON), or a CSV table with format=csv",
            "content": csv_content(csv_example),
        },
    }


def _es_flags(*resps: Any) -> tuple[bool, bool]:
    return (any(bool(r.get("timed_out")) for r in resps), any(shards_partial(r) for r in resps))


async def _search(es: AsyncElasticsearch, settings: Settings, **body: Any) -> Any:
    return await guarded(
        es,
        settings,
        client(es, settings).search(index=settings.index, size=0, timeout=search_timeout(settings), **body),
    )


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


# -- timeline --------------------------------------------------------------------------------


def _histogram(a: Ask, interval: str, start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "date_histogram": {
            "field": "published",
            "calendar_interval": interval,
            "time_zone": a.zone.name,
            "min_doc_count": 0,
            "extended_bounds": {"min": epoch_ms(start), "max": epoch_ms(end) - 1},
        }
    }


def _hist_counts(agg: dict[str, Any]) -> dict[int, int]:
    return {int(b["key"]): int(b["doc_count"]) for b in (agg.get("h") or {}).get("buckets", [])}


@router.get(
    "/timeline",
    response_model=TimelineResponse,
    responses=responses(
        "series,label,bucket,start,count,all,share\r\n"
        "query,model welfare,2026-06-01,2026-06-01T00:00:00+09:00,3,120,0.025\r\n"
    ),
    summary="Post counts over time",
)
async def timeline(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    interval: Annotated[
        Literal["day", "week", "month", "year"],
        Query(description=f"bucket size; weeks start on Monday. Buckets × (series + 1) may not pass "
              f"{MAX_BUCKETS:,} (else 422)"),
    ] = "week",
    tz: TzParam = None,
    split: Annotated[
        Literal["tag", "entity", "source", "lang"] | None,
        Query(description="also one series per top tag, entity, source or language; not with compare="),
    ] = None,
    top: Annotated[int, Query(ge=1, le=20, description="series with split=")] = 5,
    compare: Annotated[
        list[str] | None,
        Query(
            description=f"a query per series, side by side (repeatable, at most {MAX_COMPARE}); "
            "each is ANDed with q and the filters; not with split= (else 422)",
            openapi_examples={"two": {"value": ["model welfare", "モデル福祉"]}},
        ),
    ] = None,
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
    compares = [c.strip() for c in compare or [] if c and c.strip()]
    if compares and split:
        raise invalid("compare", "use either split= or compare=, not both", compare)
    if len(compares) > MAX_COMPARE:
        raise invalid("compare", f"at most {MAX_COMPARE} queries", compare)
    for c in compares:
        if len(c) > MAX_Q_CHARS:
            raise invalid("compare", f"queries are at most {MAX_Q_CHARS} characters", c)
    a = ask(request, q, filters, tz)
    compiled = [compile_extra("compare", c, filters.match) for c in compares]
    series_queries = [{"bool": {"filter": [a.compiled.query, c.query]}} for c in compiled]

    # 1. the period (from the data when open), the undated posts, the top keys of split=
    start, end = a.period.start, a.period.end
    first_aggs: dict[str, Any] = {}
    open_both = start is None and end is None
    if not a.period.bounded:  # the span of q and the filters (compare= series are within it)
        first_aggs["span"] = {
            "filter": a.query(),
            "aggs": {"first": {"min": {"field": "published"}}, "last": {"max": {"field": "published"}}},
        }
    if open_both:
        undated = {"bool": {"must_not": [{"exists": {"field": "published"}}]}}
        first_aggs["undated"] = {"filter": {"bool": {"filter": [a.compiled.query, undated]}}}
    if split:
        dated = {"exists": {"field": "published"}}
        first_aggs["split"] = {"filter": a.query(None, dated), "aggs": {"k": T.terms_agg(split, top)}}
    resps: list[Any] = []
    aggs1: dict[str, Any] = {}
    if first_aggs:
        r1 = await _search(es, settings, query={"match_all": {}}, aggs=first_aggs, track_total_hits=False)
        resps.append(r1)
        aggs1 = r1.get("aggregations") or {}
    undated_n = int((aggs1.get("undated") or {}).get("doc_count", 0))
    keys = [str(b["key"]) for b in T.buckets(aggs1.get("split") or {}, "k")]
    if not a.period.bounded:
        span_aggs = aggs1.get("span") or {}
        lo = (span_aggs.get("first") or {}).get("value")
        hi = (span_aggs.get("last") or {}).get("value")
        if lo is not None and hi is not None:
            lo_dt, hi_dt = from_epoch_ms(lo), from_epoch_ms(hi)
            start = start or floor(lo_dt, interval, a.zone)
            end = end or step(floor(hi_dt, interval, a.zone), interval, a.zone)
        elif start is not None:
            end = step(floor(start, interval, a.zone), interval, a.zone)
        elif end is not None:
            start = floor(end - ONE_MS, interval, a.zone)
        if start is not None and end is not None and end <= start:  # all posts before from
            end = step(floor(start, interval, a.zone), interval, a.zone)
    period = Period(start, end)
    n_series = 1 + (len(keys) if split else len(series_queries))
    params: list[tuple[str, Any]] = [("interval", interval)]
    if split:
        params += [("split", split), ("top", top)]
    if compares:
        params.append(("compare", compares))
    params.append(("format", format))
    # from the data when open: canonical and search keep the request's own (open) bounds
    echo = answered(a, "/v1/trends/timeline", params, period=period, extra_compiled=compiled, links=a.period)

    buckets: list[TimelineBucket] = []
    series: list[TimelineSeries] = []
    total = undated_n
    if start is not None and end is not None:
        n = count_buckets(start, end, interval, a.zone, MAX_BUCKETS)
        if n * (n_series + 1) > MAX_BUCKETS:
            raise invalid(
                "interval",
                f"{n:,} {interval}s × {n_series} series is too many buckets; "
                "choose a longer interval or a shorter period",
                interval,
            )
        hist = _histogram(a, interval, start, end)
        aggs2: dict[str, Any] = {"all": {**hist}, "q": {"filter": a.compiled.query, "aggs": {"h": hist}}}
        if split and keys:
            aggs2["q"]["aggs"]["split"] = {
                "filters": {"filters": [{"term": {T.FIELDS[split]: k}} for k in keys]},
                "aggs": {"h": hist},
            }
            if split == "tag":
                aggs2["labels"] = T.labels_agg(keys)
        for i, sq in enumerate(series_queries):
            aggs2[f"c{i}"] = {"filter": sq, "aggs": {"h": hist}}
        r2 = await _search(es, settings, query=period.clause(), aggs=aggs2, track_total_hits=False)
        resps.append(r2)
        aggs = r2.get("aggregations") or {}
        all_counts = {int(b["key"]): int(b["doc_count"]) for b in aggs["all"]["buckets"]}
        order = sorted(all_counts)
        main = _hist_counts(aggs["q"])
        total += int(aggs["q"]["doc_count"])
        for key in order:
            b_start = from_epoch_ms(key)
            count = main.get(key, 0)
            buckets.append(
                TimelineBucket(
                    key=_label(b_start, interval, a),
                    start=iso(b_start, a.zone),
                    count=count,
                    all=all_counts[key],
                    share=_share(count, all_counts[key]),
                    partial=b_start < start or step(b_start, interval, a.zone) > end,
                )
            )

        def one(key: str, label: str | None, agg: dict[str, Any], sq: str | None = None) -> TimelineSeries:
            counts = _hist_counts(agg)
            return TimelineSeries(
                key=key,
                label=label,
                q=sq,
                total=int(agg.get("doc_count", 0)),
                buckets=[
                    SeriesBucket(key=b.key, count=(n := counts.get(k, 0)), share=_share(n, b.all))
                    for k, b in zip(order, buckets, strict=True)
                ],
            )

        if split and keys:
            tags = T.parse_labels(aggs, "labels") if split == "tag" else {}
            for k, agg in zip(keys, aggs["q"]["split"]["buckets"], strict=True):
                series.append(one(k, T.label(split, k, tags), agg))
        for i, c in enumerate(compares):
            series.append(one(f"compare-{i + 1}", c, aggs[f"c{i}"], c))
    elif compares:
        series = [
            TimelineSeries(key=f"compare-{i + 1}", label=c, q=c, total=0, buckets=[])
            for i, c in enumerate(compares)
        ]
    timed_out, partial = _es_flags(*resps)
    body = TimelineResponse(
        query=echo,
        interval=interval,
        total=total,
        undated=undated_n,
        buckets=buckets,
        split="compare" if compares else split,
        series=series,
        timed_out=timed_out,
        partial=partial,
    )
    if format == "csv":
        rows: list[list[Any]] = [
            ["query", a.q or "", b.key, b.start, b.count, b.all, b.share] for b in buckets
        ]
        for s in series:
            rows += [
                [s.key, s.label or "", sb.key, b.start, sb.count, b.all, sb.share]
                for sb, b in zip(s.buckets, buckets, strict=True)
            ]
        return csv_answer(
            request,
            ["series", "label", "bucket", "start", "count", "all", "share"],
            rows,
            echo.canonical,
            "timeline.csv",
        )
    return json_answer(request, body)


def _label(start: datetime, interval: str, a: Ask) -> str:
    return bucket_label(start, interval, a.zone)


# -- top -------------------------------------------------------------------------------------


@router.get(
    "/top",
    response_model=TopResponse,
    responses=responses("key,label,type,count,share\r\nanthropic,Anthropic,lab,40,0.2\r\n"),
    summary="Top tags, entities, sources or key terms",
)
async def top(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    by: Annotated[
        Literal["tag", "entity", "source", "key_term"], Query(description="what to rank")
    ] = "entity",
    entity_type: EntityTypeParam = None,
    term_lang: TermLangParam = None,
    size: Annotated[int, Query(ge=1, le=100, description="how many")] = 10,
    tz: TzParam = None,
    format: FormatParam = "json",
) -> Response:
    """The tags, entities (``entity_ids``: what posts name, optionally of one ``type``),
    sources or key terms most often carried by the posts matching q and the filters in the
    period. ``count`` is posts, ``share`` = count / ``total`` (the posts matching). Key terms
    are the indexer's words in both languages (Japanese ones are whole words such as モデル福祉,
    never single characters or bigrams); ``term_lang=ja`` keeps the Japanese ones."""
    etype = T.check_type(by, entity_type)
    tlang = T.check_term_lang(by, term_lang)
    a = ask(request, q, filters, tz)
    resp = await _search(
        es,
        settings,
        query=a.query(),
        track_total_hits=True,
        aggs={"top": T.terms_agg(by, size, etype, tlang)},
    )
    resps = [resp]
    aggs = resp.get("aggregations") or {}
    total = int(resp["hits"]["total"]["value"])
    found = T.buckets(aggs, "top")
    tags: dict[str, str] = {}
    if by == "tag" and found:
        labels = await _search(es, settings, aggs={"labels": T.labels_agg([str(b["key"]) for b in found])})
        resps.append(labels)
        tags = T.parse_labels(labels.get("aggregations") or {}, "labels")
    items = [
        TopItem(
            key=str(b["key"]),
            label=T.label(by, str(b["key"]), tags),
            type=T.entity_type_of(str(b["key"])) if by == "entity" else None,
            count=int(b["doc_count"]),
            share=_share(int(b["doc_count"]), total),
        )
        for b in found
    ]
    params: list[tuple[str, Any]] = [
        ("by", by),
        ("type", etype),
        ("term_lang", tlang),
        ("size", size),
        ("format", format),
    ]
    echo = answered(a, "/v1/trends/top", params)
    timed_out, partial = _es_flags(*resps)
    body = TopResponse(query=echo, by=by, total=total, items=items, timed_out=timed_out, partial=partial)
    if format == "csv":
        return csv_answer(
            request,
            ["key", "label", "type", "count", "share"],
            [[i.key, i.label, i.type, i.count, i.share] for i in items],
            echo.canonical,
            "top.csv",
        )
    return json_answer(request, body)


# -- rising ----------------------------------------------------------------------------------

SCORE_DOC = (
    "score = log2( ((count + 1) / (total + 1)) / ((baseline_count + 1) / (baseline_total + 1)) ): the "
    "log2 ratio of the item's share of the matching posts in the period to its share in the baseline, "
    "each with one pseudo-post added (additive smoothing, so an item absent from the baseline gets a "
    "finite score and small counts weigh less). 1 = the share doubled. Only items with count >= "
    "min_count and score > 0 are listed, highest score first (then count, then key)."
)


def rising_score(count: int, total: int, base_count: int, base_total: int) -> float:
    return math.log2(
        ((count + SMOOTHING) / (total + SMOOTHING)) / ((base_count + SMOOTHING) / (base_total + SMOOTHING))
    )


@router.get(
    "/rising",
    response_model=RisingResponse,
    responses=responses(
        "key,label,type,count,baseline_count,share,baseline_share,change,score\r\n"
        "model-welfare,Model Welfare,,12,2,0.1,0.02,0.08,2.1\r\n"
    ),
    summary="Rising tags, entities or key terms",
    description=(
        "Items whose share of the posts matching q and the filters rose most in the period "
        "(`from`..`to`) against a baseline period (`baseline_from`..`baseline_to`; default: the "
        "period of the same length just before). Without `to` the period ends with the day of the "
        f"newest matching post; without `from` it is {DEFAULT_RISING_DAYS} days long. Candidates are "
        "the items most often carried in the period; their counts in both periods are exact.\n\n" + SCORE_DOC
    ),
)
async def rising(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    by: Annotated[Literal["tag", "entity", "key_term"], Query(description="what to rank")] = "entity",
    entity_type: EntityTypeParam = None,
    term_lang: TermLangParam = None,
    baseline_from: Annotated[
        str | None,
        Query(max_length=40, json_schema_extra=WHEN_SCHEMA,
              description=f"start of the baseline (a date or a date-time, in tz, on a day in {RANGE}); "
              "without it the baseline is as long as the period, before it or up to baseline_to, "
              "and must stay in that range too (else 422)"),
    ] = None,
    baseline_to: Annotated[
        str | None,
        Query(max_length=40, json_schema_extra=WHEN_SCHEMA,
              description=f"end of the baseline (a date: the whole day counts; a day in {RANGE}); "
              "not before baseline_from"),
    ] = None,
    size: Annotated[int, Query(ge=1, le=100, description="how many")] = 20,
    min_count: Annotated[int, Query(ge=1, le=1_000_000, description="posts in the period at least")] = 3,
    tz: TzParam = None,
    format: FormatParam = "json",
) -> Response:
    etype = T.check_type(by, entity_type)
    tlang = T.check_term_lang(by, term_lang)
    a = ask(request, q, filters, tz)
    resps: list[Any] = []
    start, end = a.period.start, a.period.end
    if end is None:
        probe = await _search(es, settings, query=a.query(), aggs={"last": {"max": {"field": "published"}}})
        resps.append(probe)
        last = ((probe.get("aggregations") or {}).get("last") or {}).get("value")
        newest = from_epoch_ms(last) if last is not None else datetime.now(a.zone.info)
        end = local_midnight(newest.astimezone(a.zone.info).date() + timedelta(days=1), a.zone)
        if start is not None and end <= start:
            end = local_midnight(
                start.astimezone(a.zone.info).date() + timedelta(days=DEFAULT_RISING_DAYS), a.zone
            )
    if start is None:
        first_day = end.astimezone(a.zone.info).date() - timedelta(days=DEFAULT_RISING_DAYS)
        start = local_midnight(first_day, a.zone)
    period = Period(start, end)
    baseline = _baseline(request, a, period)

    pool = min(max(size * 20, 200), 2000)
    r1 = await _search(
        es,
        settings,
        query=a.query(period),
        track_total_hits=True,
        aggs={"cand": T.terms_agg(by, pool, etype, tlang, min_doc_count=min_count)},
    )
    resps.append(r1)
    keys = [str(b["key"]) for b in T.buckets(r1.get("aggregations") or {}, "cand")]
    cur_range, base_range = period.clause(), baseline.clause()
    aggs2: dict[str, Any] = {
        "cur": {"filter": cur_range, "aggs": {"k": T.exact_agg(by, keys)}},
        "base": {"filter": base_range, "aggs": {"k": T.exact_agg(by, keys)}},
    }
    if by == "tag":
        aggs2["labels"] = T.labels_agg(keys)
    either = {
        "bool": {"filter": [a.compiled.query], "should": [cur_range, base_range], "minimum_should_match": 1}
    }
    r2 = await _search(es, settings, query=either, aggs=aggs2, track_total_hits=False)
    resps.append(r2)
    aggs = r2.get("aggregations") or {}
    n_cur, n_base = int(aggs["cur"]["doc_count"]), int(aggs["base"]["doc_count"])
    cur, base = T.counts(aggs["cur"], "k"), T.counts(aggs["base"], "k")
    tags = T.parse_labels(aggs, "labels") if by == "tag" else {}
    items: list[RisingItem] = []
    for k in keys:
        c, b = cur.get(k, 0), base.get(k, 0)
        if c < min_count:
            continue
        score = rising_score(c, n_cur, b, n_base)
        if score <= 0:
            continue
        share, base_share = _share(c, n_cur), _share(b, n_base)
        items.append(
            RisingItem(
                key=k,
                label=T.label(by, k, tags),
                type=T.entity_type_of(k) if by == "entity" else None,
                count=c,
                baseline_count=b,
                share=share,
                baseline_share=base_share,
                change=share - base_share,
                score=score,
            )
        )
    items.sort(key=lambda i: (-i.score, -i.count, i.key))
    items = items[:size]
    params: list[tuple[str, Any]] = [
        ("by", by),
        ("type", etype),
        ("term_lang", tlang),
        ("baseline_from", iso(baseline.start, a.zone) if baseline.start else None),
        ("baseline_to", iso(baseline.end - ONE_MS, a.zone) if baseline.end else None),
        ("size", size),
        ("min_count", min_count),
        ("format", format),
    ]
    echo = answered(a, "/v1/trends/rising", params, period=period)
    timed_out, partial = _es_flags(*resps)
    body = RisingResponse(
        query=echo,
        by=by,
        period=PeriodCount(start=iso(start, a.zone), end=iso(end, a.zone), total=n_cur),
        baseline=PeriodCount(
            start=iso(baseline.start, a.zone),
            end=iso(baseline.end, a.zone),  # type: ignore[arg-type]
            total=n_base,
        ),
        score=SCORE_DOC,
        items=items,
        timed_out=timed_out,
        partial=partial,
    )
    if format == "csv":
        return csv_answer(
            request,
            ["key", "label", "type", "count", "baseline_count", "share", "baseline_share", "change", "score"],
            [
                [
                    i.key,
                    i.label,
                    i.type,
                    i.count,
                    i.baseline_count,
                    i.share,
                    i.baseline_share,
                    i.change,
                    i.score,
                ]
                for i in items
            ],
            echo.canonical,
            "rising.csv",
        )
    return json_answer(request, body)


def _baseline(request: Request, a: Ask, period: Period) -> Period:
    raw_from = request.query_params.get("baseline_from")
    raw_to = request.query_params.get("baseline_to")
    length = period.length()
    assert period.start is not None and period.end is not None
    as_long = "a baseline as long as the period"
    if not (raw_from or "").strip() and not (raw_to or "").strip():
        before = moved("baseline_from", period.start, -length, f"{as_long}, just before it,")
        return Period(before, period.start)
    given = period_from_params(raw_from, raw_to, a.zone, names=("baseline_from", "baseline_to"))
    if given.start is not None and given.end is not None:
        return given
    if given.start is not None:
        return Period(given.start, moved("baseline_to", given.start, length, f"{as_long} from baseline_from"))
    assert given.end is not None
    return Period(moved("baseline_from", given.end, -length, f"{as_long} up to baseline_to"), given.end)


# -- co-occurrence ---------------------------------------------------------------------------


def _anchor(of: str) -> tuple[Anchor, dict[str, Any], list[str]]:
    """``entity:<id or alias>`` or ``tag:<any spelling>`` -> the anchor, its clause, its ids."""
    text = of.strip().replace("：", ":")
    kind, sep, value = text.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or kind not in ("entity", "tag") or not value:
        raise invalid("of", "expected entity:<id or name> or tag:<tag>", of)
    if kind == "tag":
        key = tag_key(value)
        if not key:
            raise invalid("of", f"tag {value!r} has no letters or digits", of)
        return Anchor(kind="tag", key=key, label=key), {"term": {"tag_keys": key}}, [key]
    ids = entities.resolve(value)
    if not ids:
        raise invalid("of", f"unknown entity {value!r} (see GET /v1/entities?q=)", of)
    names = [T.entity_label(i) or i for i in ids]
    return (
        Anchor(kind="entity", key=ids[0] if len(ids) == 1 else value, label=" / ".join(names)),
        {"terms": {"entity_tree": ids}},
        ids,
    )


@router.get(
    "/cooccurrence",
    response_model=CooccurrenceResponse,
    responses=responses(
        "kind,key,label,type,count,total,share,lift\r\nentity,claude,Claude,model_family,25,40,0.6,3.2\r\n"
    ),
    summary="What appears with an entity or a tag",
)
async def cooccurrence(
    request: Request,
    es: Es,
    settings: Conf,
    filters: Filters,
    of: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="the anchor: entity:<id or name> or tag:<tag> (the schema lists the ids; "
            "names and any tag spelling work too)",
            json_schema_extra=ANCHOR_SCHEMA,
            openapi_examples={"entity": {"value": "entity:anthropic"}, "tag": {"value": "tag:model-welfare"}},
        ),
    ],
    q: QParam = None,
    kind: Annotated[Literal["both", "entity", "tag"], Query(description="what to list")] = "both",
    size: Annotated[int, Query(ge=1, le=100, description="items per list")] = 20,
    min_count: Annotated[int, Query(ge=1, le=1_000_000, description="posts with both, at least")] = 1,
    sort: Annotated[Literal["count", "lift"], Query(description="order of the lists")] = "count",
    family: Annotated[
        bool, Query(description="entity anchor: also list its descendants (which co-occur by definition)")
    ] = False,
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
    anchor, clause, anchor_ids = _anchor(of)
    a = ask(request, q, filters, tz)
    pool = min(size * (5 if sort == "lift" else 2) + 20, 1000)
    kinds = ["entity", "tag"] if kind == "both" else [kind]
    inner: dict[str, Any] = {k: T.terms_agg(k, pool, min_doc_count=min_count) for k in kinds}
    r1 = await _search(
        es,
        settings,
        query=a.query(),
        track_total_hits=True,
        aggs={"anchor": {"filter": clause, "aggs": inner}},
    )
    total = int(r1["hits"]["total"]["value"])
    anchor_aggs = (r1.get("aggregations") or {}).get("anchor") or {}
    candidates: dict[str, list[str]] = {}
    for k in kinds:
        keys = [str(b["key"]) for b in T.buckets(anchor_aggs, k)]
        if k == "entity" and anchor.kind == "entity":
            keys = [
                i
                for i in keys
                if i not in anchor_ids and (family or not set(T.ancestors(i)) & set(anchor_ids))
            ]
        if k == "tag" and anchor.kind == "tag":
            keys = [t for t in keys if t != anchor.key]
        candidates[k] = keys
    aggs2: dict[str, Any] = {
        "anchor": {"filter": clause, "aggs": {k: T.exact_agg(k, candidates[k]) for k in kinds}},
        **{k: T.exact_agg(k, candidates[k]) for k in kinds},
    }
    tag_keys = candidates.get("tag", []) + ([anchor.key] if anchor.kind == "tag" else [])
    if tag_keys:
        aggs2["labels"] = T.labels_agg(tag_keys)
    r2 = await _search(es, settings, query=a.query(), aggs=aggs2, track_total_hits=False)
    aggs = r2.get("aggregations") or {}
    anchor_count = int(aggs["anchor"]["doc_count"])
    tags = T.parse_labels(aggs, "labels")
    if anchor.kind == "tag":
        anchor = anchor.model_copy(update={"label": tags.get(anchor.key, anchor.key)})
    lists: dict[str, list[CoItem]] = {}
    for k in kinds:
        both, alone = T.counts(aggs["anchor"], k), T.counts(aggs, k)
        out = []
        for key in candidates[k]:
            c, n = both.get(key, 0), alone.get(key, 0)
            if c < min_count or not n:
                continue
            out.append(
                CoItem(
                    kind=k,
                    key=key,
                    label=T.label(k, key, tags),  # type: ignore[arg-type]
                    type=T.entity_type_of(key) if k == "entity" else None,
                    count=c,
                    total=n,
                    share=_share(c, anchor_count),
                    lift=(c * total) / (anchor_count * n) if anchor_count else 0.0,
                )
            )
        if sort == "lift":
            out.sort(key=lambda i: (-i.lift, -i.count, i.key))
        else:
            out.sort(key=lambda i: (-i.count, -i.lift, i.key))
        lists[k] = out[:size]
    params: list[tuple[str, Any]] = [
        ("of", f"{anchor.kind}:{anchor.key}"),
        ("kind", kind),
        ("size", size),
        ("min_count", min_count),
        ("sort", sort),
        ("family", family),
        ("format", format),
    ]
    echo = answered(a, "/v1/trends/cooccurrence", params)
    timed_out, partial = _es_flags(r1, r2)
    body = CooccurrenceResponse(
        query=echo,
        of=anchor,
        total=total,
        anchor_count=anchor_count,
        entities=lists.get("entity", []),
        tags=lists.get("tag", []),
        timed_out=timed_out,
        partial=partial,
    )
    if format == "csv":
        rows = [
            [i.kind, i.key, i.label, i.type, i.count, i.total, i.share, i.lift]
            for i in (*body.entities, *body.tags)
        ]
        return csv_answer(
            request,
            ["kind", "key", "label", "type", "count", "total", "share", "lift"],
            rows,
            echo.canonical,
            "cooccurrence.csv",
        )
    return json_answer(request, body)
