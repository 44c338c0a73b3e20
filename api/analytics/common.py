"""What the trend queries share: the one way they search, date histograms, shares, labels and
the ``timed_out``/``partial`` flags of their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from api.analytics import terms as T
from api.backend import client, guarded, search_timeout, shards_partial
from api.query.period import Period, Zone, epoch_ms, from_epoch_ms
from indexer.config import Settings

MATCH_ALL: dict[str, Any] = {"match_all": {}}


async def search(es: AsyncElasticsearch, settings: Settings, size: int = 0, **body: Any) -> Any:
    """One search of the index, bounded in time (``guarded``); no hits unless ``size`` asks."""
    return await guarded(
        es,
        settings,
        client(es, settings).search(
            index=settings.index, size=size, timeout=search_timeout(settings), **body
        ),
    )


class Searches:
    """The searches behind one answer: each goes through ``search``, and the answer is
    ``timed_out`` or ``partial`` when any of them was."""

    def __init__(self, es: AsyncElasticsearch, settings: Settings) -> None:
        self.es = es
        self.settings = settings
        self.replies: list[Any] = []

    async def __call__(self, size: int = 0, **body: Any) -> Any:
        reply = await search(self.es, self.settings, size, **body)
        self.replies.append(reply)
        return reply

    def flags(self) -> tuple[bool, bool]:
        """``(timed_out, partial)`` over every reply so far."""
        return es_flags(*self.replies)


def es_flags(*replies: Any) -> tuple[bool, bool]:
    return (any(bool(r.get("timed_out")) for r in replies), any(shards_partial(r) for r in replies))


def aggregations(reply: Any) -> dict[str, Any]:
    return reply.get("aggregations") or {}


def share(count: int, total: int) -> float:
    return count / total if total else 0.0


def keys_of(aggs: dict[str, Any], name: str) -> list[str]:
    """The keys of a terms aggregation's buckets, in its order."""
    return [str(b["key"]) for b in T.buckets(aggs, name)]


def tag_labels_of(by: str, aggs: dict[str, Any]) -> dict[str, str]:
    """The spellings of the tags in the ``labels`` aggregation (only ``by=tag`` asks for it)."""
    return T.parse_labels(aggs, "labels") if by == "tag" else {}


async def newest(searches: Searches, query: dict[str, Any], zone: Zone) -> datetime:
    """When the newest of ``query``'s posts was published (now when none has a date): the
    default end of a period."""
    probe = await searches(query=query, aggs={"last": {"max": {"field": "published"}}})
    last = (aggregations(probe).get("last") or {}).get("value")
    return from_epoch_ms(last) if last is not None else datetime.now(zone.info)


def histogram(zone: Zone, interval: str, period: Period) -> dict[str, Any]:
    """Posts per calendar ``interval`` of ``zone`` over the (bounded) period, empty buckets too."""
    assert period.start is not None and period.end is not None
    return {
        "date_histogram": {
            "field": "published",
            "calendar_interval": interval,
            "time_zone": zone.name,
            "min_doc_count": 0,
            "extended_bounds": {"min": epoch_ms(period.start), "max": epoch_ms(period.end) - 1},
        }
    }


def hist_counts(agg: dict[str, Any]) -> dict[int, int]:
    """Bucket start (epoch ms) -> count, of the histogram ``h`` under ``agg``."""
    return {int(b["key"]): int(b["doc_count"]) for b in (agg.get("h") or {}).get("buckets", [])}
