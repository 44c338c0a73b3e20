"""``/v1/trends/rising``: the items whose share of the matching posts rose most in the period
against a baseline period.

The period defaults from the data (it ends with the day of the newest matching post); the
candidates are the items most often carried in the period, then a second search counts them
exactly in both periods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch

from api.analytics import terms as T
from api.analytics.ask import Ask, answered
from api.analytics.common import Searches, aggregations, keys_of, newest, share, tag_labels_of
from api.analytics.models import PeriodCount, RisingItem, RisingResponse
from api.analytics.respond import Table
from api.query.dates import moved
from api.query.period import ONE_MS, Period, Zone, iso, local_midnight, period_from_params
from indexer.config import Settings

PATH = "/v1/trends/rising"
DEFAULT_RISING_DAYS = 30
SMOOTHING = 1.0
COLUMNS = ["key", "label", "type", "count", "baseline_count", "share", "baseline_share", "change", "score"]
SCORE_DOC = (
    "score = log2( ((count + 1) / (total + 1)) / ((baseline_count + 1) / (baseline_total + 1)) ): the "
    "log2 ratio of the item's share of the matching posts in the period to its share in the baseline, "
    "each with one pseudo-post added (additive smoothing, so an item absent from the baseline gets a "
    "finite score and small counts weigh less). 1 = the share doubled. Only items with count >= "
    "min_count and score > 0 are listed, highest score first (then count, then key)."
)

RisingBy = Literal["tag", "entity", "key_term"]


def rising_score(count: int, total: int, base_count: int, base_total: int) -> float:
    return math.log2(
        ((count + SMOOTHING) / (total + SMOOTHING)) / ((base_count + SMOOTHING) / (base_total + SMOOTHING))
    )


@dataclass(frozen=True)
class RisingParams:
    """The endpoint's own parameters, checked (the baseline is read once the period is known)."""

    by: RisingBy
    entity_type: str | None
    term_lang: str | None
    baseline_from: str | None
    baseline_to: str | None
    size: int
    min_count: int
    format: str

    @classmethod
    def read(
        cls,
        by: RisingBy,
        entity_type: str | None,
        term_lang: str | None,
        baseline_from: str | None,
        baseline_to: str | None,
        size: int,
        min_count: int,
        format: str,
    ) -> RisingParams:
        etype, tlang = T.check_type(by, entity_type), T.check_term_lang(by, term_lang)
        return cls(by, etype, tlang, baseline_from, baseline_to, size, min_count, format)

    def pairs(self, baseline: Period, zone: Zone) -> list[tuple[str, Any]]:
        """As echoed: the baseline as answered, every value explicit."""
        return [
            ("by", self.by),
            ("type", self.entity_type),
            ("term_lang", self.term_lang),
            ("baseline_from", iso(baseline.start, zone) if baseline.start else None),
            ("baseline_to", iso(baseline.end - ONE_MS, zone) if baseline.end else None),
            ("size", self.size),
            ("min_count", self.min_count),
            ("format", self.format),
        ]


# -- the periods ------------------------------------------------------------------------------


def default_period(a: Ask, newest_post: datetime | None) -> Period:
    """The request's period, its open sides filled: it ends with the day of the newest
    matching post (``newest_post``, needed only without ``to``) and is DEFAULT_RISING_DAYS
    long without ``from``."""
    start, end, zone = a.period.start, a.period.end, a.zone
    if end is None:
        assert newest_post is not None
        end = local_midnight(newest_post.astimezone(zone.info).date() + timedelta(days=1), zone)
        if start is not None and end <= start:
            end = local_midnight(
                start.astimezone(zone.info).date() + timedelta(days=DEFAULT_RISING_DAYS), zone
            )
    if start is None:
        start = local_midnight(end.astimezone(zone.info).date() - timedelta(days=DEFAULT_RISING_DAYS), zone)
    return Period(start, end)


def baseline_period(period: Period, raw_from: str | None, raw_to: str | None, zone: Zone) -> Period:
    """``baseline_from``..``baseline_to`` in ``zone``; a missing side makes the baseline as long
    as the period (both missing: just before it)."""
    length = period.length()
    assert period.start is not None and period.end is not None
    as_long = "a baseline as long as the period"
    if not (raw_from or "").strip() and not (raw_to or "").strip():
        before = moved("baseline_from", period.start, -length, f"{as_long}, just before it,")
        return Period(before, period.start)
    given = period_from_params(raw_from, raw_to, zone, names=("baseline_from", "baseline_to"))
    if given.start is not None and given.end is not None:
        return given
    if given.start is not None:
        return Period(given.start, moved("baseline_to", given.start, length, f"{as_long} from baseline_from"))
    assert given.end is not None
    return Period(moved("baseline_from", given.end, -length, f"{as_long} up to baseline_to"), given.end)


# -- the searches -----------------------------------------------------------------------------


def candidates_aggs(p: RisingParams) -> dict[str, Any]:
    """The items most often carried in the period (more than asked for: the pool)."""
    pool = min(max(p.size * 20, 200), 2000)
    return {"cand": T.terms_agg(p.by, pool, p.entity_type, p.term_lang, min_doc_count=p.min_count)}


def counts_body(a: Ask, by: str, period: Period, baseline: Period, keys: list[str]) -> dict[str, Any]:
    """The exact counts of ``keys`` in both periods, in one search over either."""
    cur_range, base_range = period.clause(), baseline.clause()
    aggs: dict[str, Any] = {
        "cur": {"filter": cur_range, "aggs": {"k": T.exact_agg(by, keys)}},
        "base": {"filter": base_range, "aggs": {"k": T.exact_agg(by, keys)}},
    }
    if by == "tag":
        aggs["labels"] = T.labels_agg(keys)
    either = {
        "bool": {"filter": [a.compiled.query], "should": [cur_range, base_range], "minimum_should_match": 1}
    }
    return {"query": either, "aggs": aggs, "track_total_hits": False}


def parse_items(p: RisingParams, keys: list[str], aggs: dict[str, Any]) -> list[RisingItem]:
    """The rising items among ``keys``, best first, at most ``size``."""
    n_cur, n_base = int(aggs["cur"]["doc_count"]), int(aggs["base"]["doc_count"])
    cur, base = T.counts(aggs["cur"], "k"), T.counts(aggs["base"], "k")
    tags = tag_labels_of(p.by, aggs)
    items: list[RisingItem] = []
    for k in keys:
        c, b = cur.get(k, 0), base.get(k, 0)
        if c < p.min_count:
            continue
        score = rising_score(c, n_cur, b, n_base)
        if score <= 0:
            continue
        item_share, base_share = share(c, n_cur), share(b, n_base)
        items.append(
            RisingItem(
                key=k,
                label=T.label(p.by, k, tags),
                type=T.item_type(p.by, k),
                count=c,
                baseline_count=b,
                share=item_share,
                baseline_share=base_share,
                change=item_share - base_share,
                score=score,
            )
        )
    items.sort(key=lambda i: (-i.score, -i.count, i.key))
    return items[: p.size]


def period_count(period: Period, total: int, zone: Zone) -> PeriodCount:
    assert period.start is not None and period.end is not None
    return PeriodCount(start=iso(period.start, zone), end=iso(period.end, zone), total=total)


# -- the answer -------------------------------------------------------------------------------


async def run_rising(es: AsyncElasticsearch, settings: Settings, a: Ask, p: RisingParams) -> RisingResponse:
    searches = Searches(es, settings)
    latest = await newest(searches, a.query(), a.zone) if a.period.end is None else None
    period = default_period(a, latest)
    baseline = baseline_period(period, p.baseline_from, p.baseline_to, a.zone)
    r1 = await searches(query=a.query(period), track_total_hits=True, aggs=candidates_aggs(p))
    keys = keys_of(aggregations(r1), "cand")
    aggs = aggregations(await searches(**counts_body(a, p.by, period, baseline, keys)))
    timed_out, partial = searches.flags()
    return RisingResponse(
        query=answered(a, PATH, p.pairs(baseline, a.zone), period=period),
        by=p.by,
        period=period_count(period, int(aggs["cur"]["doc_count"]), a.zone),
        baseline=period_count(baseline, int(aggs["base"]["doc_count"]), a.zone),
        score=SCORE_DOC,
        items=parse_items(p, keys, aggs),
        timed_out=timed_out,
        partial=partial,
    )


def rising_table(body: RisingResponse) -> Table:
    rows = [
        [i.key, i.label, i.type, i.count, i.baseline_count, i.share, i.baseline_share, i.change, i.score]
        for i in body.items
    ]
    return Table(COLUMNS, rows, body.query.canonical, "rising.csv")
