"""``/v1/digest``: one day's matching posts, most important first, and the day's count per
importance level. Without a date the day is that of the newest matching post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from api.analytics.ask import Ask, answered
from api.analytics.common import Searches, aggregations, newest
from api.analytics.models import DigestResponse
from api.analytics.respond import Table
from api.models import SearchHit
from api.present.highlight import Highlighter
from api.present.hits import HIT_SOURCE, to_hit
from api.query.dates import read_day
from api.query.period import Period, Zone, local_midnight, parse_tz
from indexer.config import Settings

PATH = "/v1/digest"
COLUMNS = ["rank", "id", "importance", "published", "source", "lang", "title", "url"]
SORT: list[dict[str, Any]] = [
    {"importance": {"order": "desc", "missing": "_last"}},
    {"published": {"order": "desc", "missing": "_last"}},
    {"id": {"order": "asc"}},
]
LEVELS_AGGS: dict[str, Any] = {
    "imp": {"terms": {"field": "importance", "size": 10}},
    "none": {"missing": {"field": "importance"}},
}


@dataclass(frozen=True)
class DigestParams:
    """The endpoint's own parameters, checked."""

    day: date | None  # None: the day of the newest matching post
    size: int
    highlight: bool
    format: str

    @classmethod
    def read(cls, day: str | None, tz: str | None, size: int, highlight: bool, format: str) -> DigestParams:
        parse_tz(tz)  # a bad tz is told before a bad date
        d = read_day("date", day) if day is not None and day.strip() else None
        return cls(d, size, highlight, format)

    def pairs(self, d: date) -> list[tuple[str, Any]]:
        return [
            ("date", d.isoformat()),
            ("size", self.size),
            ("highlight", self.highlight),
            ("format", self.format),
        ]


def day_period(d: date, zone: Zone) -> Period:
    return Period(local_midnight(d, zone), local_midnight(d + timedelta(days=1), zone))


def answered_period(a: Ask, day: Period) -> Period:
    """The day, within from/to when they are given too."""
    if a.period.clause() is None:
        return day
    assert day.start is not None and day.end is not None
    return Period(max(day.start, a.period.start or day.start), min(day.end, a.period.end or day.end))


def by_importance(aggs: dict[str, Any]) -> dict[str, int]:
    """Posts per level 5..1 (zeros included), then ``none``."""
    out = {str(level): 0 for level in range(5, 0, -1)}
    for b in (aggs.get("imp") or {}).get("buckets", []):
        out[str(b["key"])] = int(b["doc_count"])
    out["none"] = int((aggs.get("none") or {}).get("doc_count", 0))
    return out


async def run_digest(es: AsyncElasticsearch, settings: Settings, a: Ask, p: DigestParams) -> DigestResponse:
    searches = Searches(es, settings)
    d = p.day
    if d is None:
        d = (await newest(searches, a.query(), a.zone)).astimezone(a.zone.info).date()
    day = day_period(d, a.zone)
    clauses = [c for c in (a.period.clause(),) if c is not None]
    resp = await searches(
        query=a.query(day, *clauses),
        sort=SORT,
        size=p.size,
        source=HIT_SOURCE,
        track_total_hits=True,
        aggs=LEVELS_AGGS,
    )
    highlighter = Highlighter(a.compiled.marks, a.compiled.entity_ids) if p.highlight and a.q else None
    timed_out, partial = searches.flags()
    return DigestResponse(
        query=answered(a, PATH, p.pairs(d), period=answered_period(a, day)),
        date=d.isoformat(),
        total=int(resp["hits"]["total"]["value"]),
        by_importance=by_importance(aggregations(resp)),
        posts=[to_hit(h, highlighter, with_score=False) for h in resp["hits"]["hits"]],
        timed_out=timed_out,
        partial=partial,
    )


def _row(rank: int, p: SearchHit) -> list[Any]:
    published = p.published.isoformat() if p.published else None
    return [rank, p.id, p.importance, published, p.source, p.lang, p.title, p.url]


def digest_table(body: DigestResponse) -> Table:
    rows = [_row(n, p) for n, p in enumerate(body.posts, 1)]
    return Table(COLUMNS, rows, body.query.canonical, f"digest-{body.date}.csv")
