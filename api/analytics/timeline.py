"""``/v1/trends/timeline``: posts per calendar bucket, with an optional series per top key
(``split=``) or per query (``compare=``).

Two searches at most: the first finds what the request leaves open (the period from the data,
the undated posts, the top keys of ``split=``), the second counts every bucket of every series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch

from api.analytics import terms as T
from api.analytics.ask import Ask, answered, compile_extra_common
from api.analytics.common import (
    MATCH_ALL,
    Searches,
    aggregations,
    hist_counts,
    histogram,
    keys_of,
    share,
    tag_labels_of,
)
from api.analytics.models import SeriesBucket, TimelineBucket, TimelineResponse, TimelineSeries
from api.analytics.period import Interval, bucket_label, count_buckets, floor, step
from api.analytics.respond import Table
from api.errors import invalid
from api.query.build import Compiled
from api.query.params import MAX_Q_CHARS
from api.query.period import ONE_MS, Period, Zone, from_epoch_ms, iso
from indexer.config import Settings

PATH = "/v1/trends/timeline"
MAX_BUCKETS = 40_000  # buckets × series per timeline (Elasticsearch allows 65,536 per search)
MAX_COMPARE = 10
COLUMNS = ["series", "label", "bucket", "start", "count", "all", "share"]

Split = Literal["tag", "entity", "source", "lang"]


@dataclass(frozen=True)
class TimelineParams:
    """The endpoint's own parameters, checked."""

    interval: Interval
    split: Split | None
    top: int
    compares: list[str]
    format: str

    @classmethod
    def read(
        cls, interval: Interval, split: Split | None, top: int, compare: list[str] | None, format: str
    ) -> TimelineParams:
        compares = [c.strip() for c in compare or [] if c and c.strip()]
        if compares and split:
            raise invalid("compare", "use either split= or compare=, not both", compare)
        if len(compares) > MAX_COMPARE:
            raise invalid("compare", f"at most {MAX_COMPARE} queries", compare)
        for c in compares:
            if len(c) > MAX_Q_CHARS:
                raise invalid("compare", f"queries are at most {MAX_Q_CHARS} characters", c)
        return cls(interval, split, top, compares, format)

    def pairs(self) -> list[tuple[str, Any]]:
        """As echoed, in order (split's ``top`` only with split=)."""
        out: list[tuple[str, Any]] = [("interval", self.interval)]
        if self.split:
            out += [("split", self.split), ("top", self.top)]
        if self.compares:
            out.append(("compare", self.compares))
        out.append(("format", self.format))
        return out


# -- the first search: what the request leaves open -------------------------------------------


def first_aggs(a: Ask, p: TimelineParams) -> dict[str, Any]:
    """The span of q and the filters when the period is open (compare= series are within it),
    the undated posts when it is open on both sides, the top keys of split=; {} for none."""
    aggs: dict[str, Any] = {}
    if not a.period.bounded:
        aggs["span"] = {
            "filter": a.query(),
            "aggs": {"first": {"min": {"field": "published"}}, "last": {"max": {"field": "published"}}},
        }
    if a.period.start is None and a.period.end is None:
        undated = {"bool": {"must_not": [{"exists": {"field": "published"}}]}}
        aggs["undated"] = {"filter": {"bool": {"filter": [a.compiled.query, undated]}}}
    if p.split:
        dated = {"exists": {"field": "published"}}
        aggs["split"] = {"filter": a.query(None, dated), "aggs": {"k": T.terms_agg(p.split, p.top)}}
    return aggs


def open_period(a: Ask, interval: str, span: dict[str, Any]) -> Period:
    """The request's period, its open sides taken from the buckets of the first and last
    matching posts (``span``); still open when nothing matches and neither side is given."""
    start, end, zone = a.period.start, a.period.end, a.zone
    lo = (span.get("first") or {}).get("value")
    hi = (span.get("last") or {}).get("value")
    if lo is not None and hi is not None:
        start = start or floor(from_epoch_ms(lo), interval, zone)
        end = end or step(floor(from_epoch_ms(hi), interval, zone), interval, zone)
    elif start is not None:
        end = step(floor(start, interval, zone), interval, zone)
    elif end is not None:
        start = floor(end - ONE_MS, interval, zone)
    if start is not None and end is not None and end <= start:  # all posts before from
        end = step(floor(start, interval, zone), interval, zone)
    return Period(start, end)


# -- the second search: every bucket of every series ------------------------------------------


def check_buckets(a: Ask, interval: str, period: Period, n_series: int) -> None:
    """422 when the histograms would hold too many buckets."""
    assert period.start is not None and period.end is not None
    n = count_buckets(period.start, period.end, interval, a.zone, MAX_BUCKETS)
    if n * (n_series + 1) > MAX_BUCKETS:
        raise invalid(
            "interval",
            f"{n:,} {interval}s × {n_series} series is too many buckets; "
            "choose a longer interval or a shorter period",
            interval,
        )


def counts_aggs(
    a: Ask, p: TimelineParams, period: Period, keys: list[str], series_queries: list[dict[str, Any]]
) -> dict[str, Any]:
    """``all`` (every post), ``q`` (the matching ones, split by ``keys``), ``labels`` of the
    tags, and ``c<i>`` per compare= query: each a histogram over the period."""
    hist = histogram(a.zone, p.interval, period)
    aggs: dict[str, Any] = {"all": {**hist}, "q": {"filter": a.compiled.query, "aggs": {"h": hist}}}
    if p.split and keys:
        aggs["q"]["aggs"]["split"] = {
            "filters": {"filters": [{"term": {T.FIELDS[p.split]: k}} for k in keys]},
            "aggs": {"h": hist},
        }
        if p.split == "tag":
            aggs["labels"] = T.labels_agg(keys)
    for i, sq in enumerate(series_queries):
        aggs[f"c{i}"] = {"filter": sq, "aggs": {"h": hist}}
    return aggs


@dataclass(frozen=True)
class Grid:
    """The top-level buckets, in time order, and their starts as Elasticsearch keys them."""

    starts: list[int]  # epoch ms
    buckets: list[TimelineBucket]


def parse_grid(zone: Zone, interval: str, period: Period, aggs: dict[str, Any]) -> Grid:
    assert period.start is not None and period.end is not None
    all_counts = {int(b["key"]): int(b["doc_count"]) for b in aggs["all"]["buckets"]}
    starts = sorted(all_counts)
    main = hist_counts(aggs["q"])
    buckets: list[TimelineBucket] = []
    for key in starts:
        b_start = from_epoch_ms(key)
        count = main.get(key, 0)
        buckets.append(
            TimelineBucket(
                key=bucket_label(b_start, interval, zone),
                start=iso(b_start, zone),
                count=count,
                all=all_counts[key],
                share=share(count, all_counts[key]),
                partial=b_start < period.start or step(b_start, interval, zone) > period.end,
            )
        )
    return Grid(starts, buckets)


def parse_series(
    key: str, label: str | None, agg: dict[str, Any], grid: Grid, q: str | None = None
) -> TimelineSeries:
    """One series, its buckets aligned with the grid's."""
    counts = hist_counts(agg)
    return TimelineSeries(
        key=key,
        label=label,
        q=q,
        total=int(agg.get("doc_count", 0)),
        buckets=[
            SeriesBucket(key=b.key, count=(n := counts.get(k, 0)), share=share(n, b.all))
            for k, b in zip(grid.starts, grid.buckets, strict=True)
        ],
    )


def parse_all_series(
    p: TimelineParams, keys: list[str], aggs: dict[str, Any], grid: Grid
) -> list[TimelineSeries]:
    """A series per split= key, then one per compare= query."""
    series: list[TimelineSeries] = []
    if p.split and keys:
        tags = tag_labels_of(p.split, aggs)
        for k, agg in zip(keys, aggs["q"]["split"]["buckets"], strict=True):
            series.append(parse_series(k, T.label(p.split, k, tags), agg, grid))
    for i, c in enumerate(p.compares):
        series.append(parse_series(f"compare-{i + 1}", c, aggs[f"c{i}"], grid, c))
    return series


def empty_series(compares: list[str]) -> list[TimelineSeries]:
    """The compare= series when there is no period to count in (nothing matched)."""
    return [
        TimelineSeries(key=f"compare-{i + 1}", label=c, q=c, total=0, buckets=[])
        for i, c in enumerate(compares)
    ]


# -- the answer -------------------------------------------------------------------------------


async def run_timeline(
    es: AsyncElasticsearch, settings: Settings, a: Ask, p: TimelineParams
) -> TimelineResponse:
    compiled: list[Compiled] = [
        await compile_extra_common(es, settings, "compare", c, a.filters.match) for c in p.compares
    ]
    series_queries = [{"bool": {"filter": [a.compiled.query, c.query]}} for c in compiled]
    searches = Searches(es, settings)
    aggs1: dict[str, Any] = {}
    if wanted := first_aggs(a, p):
        aggs1 = aggregations(await searches(query=MATCH_ALL, aggs=wanted, track_total_hits=False))
    undated = int((aggs1.get("undated") or {}).get("doc_count", 0))
    keys = keys_of(aggs1.get("split") or {}, "k")
    period = a.period if a.period.bounded else open_period(a, p.interval, aggs1.get("span") or {})
    n_series = 1 + (len(keys) if p.split else len(series_queries))
    # from the data when open: canonical and search keep the request's own (open) bounds
    echo = answered(a, PATH, p.pairs(), period=period, extra_compiled=compiled, links=a.period)
    grid, series, total = Grid([], []), empty_series(p.compares), undated
    if period.bounded:
        check_buckets(a, p.interval, period, n_series)
        aggs2 = counts_aggs(a, p, period, keys, series_queries)
        aggs = aggregations(await searches(query=period.clause(), aggs=aggs2, track_total_hits=False))
        grid = parse_grid(a.zone, p.interval, period, aggs)
        series = parse_all_series(p, keys, aggs, grid)
        total += int(aggs["q"]["doc_count"])
    timed_out, partial = searches.flags()
    return TimelineResponse(
        query=echo,
        interval=p.interval,
        total=total,
        undated=undated,
        buckets=grid.buckets,
        split="compare" if p.compares else p.split,
        series=series,
        timed_out=timed_out,
        partial=partial,
    )


def timeline_table(body: TimelineResponse) -> Table:
    """A row per bucket of the query (series ``query``), then per bucket of each series."""
    rows: list[list[Any]] = [
        ["query", body.query.q or "", b.key, b.start, b.count, b.all, b.share] for b in body.buckets
    ]
    for s in body.series:
        rows += [
            [s.key, s.label or "", sb.key, b.start, sb.count, b.all, sb.share]
            for sb, b in zip(s.buckets, body.buckets, strict=True)
        ]
    return Table(COLUMNS, rows, body.query.canonical, "timeline.csv")
