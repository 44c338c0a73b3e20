"""``/v1/trends/top``: the tags, entities, sources or key terms most often carried by the
matching posts (one ``terms`` aggregation; a second search for the spellings of tags)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch

from api.analytics import terms as T
from api.analytics.ask import Ask, answered
from api.analytics.common import Searches, aggregations, share
from api.analytics.models import TopItem, TopResponse
from api.analytics.respond import Table
from indexer.config import Settings

PATH = "/v1/trends/top"
COLUMNS = ["key", "label", "type", "count", "share"]

TopBy = Literal["tag", "entity", "source", "key_term"]


@dataclass(frozen=True)
class TopParams:
    """The endpoint's own parameters, checked."""

    by: TopBy
    entity_type: str | None
    term_lang: str | None
    size: int
    format: str

    @classmethod
    def read(
        cls, by: TopBy, entity_type: str | None, term_lang: str | None, size: int, format: str
    ) -> TopParams:
        return cls(by, T.check_type(by, entity_type), T.check_term_lang(by, term_lang), size, format)

    def pairs(self) -> list[tuple[str, Any]]:
        return [
            ("by", self.by),
            ("type", self.entity_type),
            ("term_lang", self.term_lang),
            ("size", self.size),
            ("format", self.format),
        ]


def top_aggs(p: TopParams) -> dict[str, Any]:
    return {"top": T.terms_agg(p.by, p.size, p.entity_type, p.term_lang)}


def parse_items(by: str, found: list[dict[str, Any]], total: int, tags: dict[str, str]) -> list[TopItem]:
    """The items of the ``top`` buckets, in their order."""
    return [
        TopItem(
            key=str(b["key"]),
            label=T.label(by, str(b["key"]), tags),
            type=T.item_type(by, str(b["key"])),
            count=int(b["doc_count"]),
            share=share(int(b["doc_count"]), total),
        )
        for b in found
    ]


async def run_top(es: AsyncElasticsearch, settings: Settings, a: Ask, p: TopParams) -> TopResponse:
    searches = Searches(es, settings)
    resp = await searches(query=a.query(), track_total_hits=True, aggs=top_aggs(p))
    total = int(resp["hits"]["total"]["value"])
    found = T.buckets(aggregations(resp), "top")
    tags: dict[str, str] = {}
    if p.by == "tag" and found:
        labels = await searches(aggs={"labels": T.labels_agg([str(b["key"]) for b in found])})
        tags = T.parse_labels(aggregations(labels), "labels")
    timed_out, partial = searches.flags()
    return TopResponse(
        query=answered(a, PATH, p.pairs()),
        by=p.by,
        total=total,
        items=parse_items(p.by, found, total, tags),
        timed_out=timed_out,
        partial=partial,
    )


def top_table(body: TopResponse) -> Table:
    rows = [[i.key, i.label, i.type, i.count, i.share] for i in body.items]
    return Table(COLUMNS, rows, body.query.canonical, "top.csv")
