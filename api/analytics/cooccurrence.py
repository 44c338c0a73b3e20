"""``/v1/trends/cooccurrence``: the entities and tags carried together with an anchor (an
entity or a tag), with their share and lift.

The first search finds the candidates (the items most often found with the anchor), the
second counts them exactly, with the anchor and overall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch

from api.analytics import terms as T
from api.analytics.ask import Ask, answered
from api.analytics.common import Searches, aggregations, keys_of, share
from api.analytics.models import Anchor, CoItem, CooccurrenceResponse
from api.analytics.respond import Table
from api.errors import invalid
from api.present.entity import entity_name
from api.query import entities
from indexer.analysis import tag_key
from indexer.config import Settings

PATH = "/v1/trends/cooccurrence"
COLUMNS = ["kind", "key", "label", "type", "count", "total", "share", "lift"]

Kind = Literal["entity", "tag"]
KindParam = Literal["both", "entity", "tag"]
Sort = Literal["count", "lift"]


@dataclass(frozen=True)
class Anchored:
    """The anchor as answered, the clause of its posts, and its keys (entity ids or tag key)."""

    anchor: Anchor
    clause: dict[str, Any]
    ids: list[str]


def read_anchor(of: str) -> Anchored:
    """``entity:<id or alias>`` or ``tag:<any spelling>`` (422 for ``of`` otherwise)."""
    text = of.strip().replace("：", ":")
    kind, sep, value = text.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or kind not in ("entity", "tag") or not value:
        raise invalid("of", "expected entity:<id or name> or tag:<tag>", of)
    if kind == "tag":
        key = tag_key(value)
        if not key:
            raise invalid("of", f"tag {value!r} has no letters or digits", of)
        return Anchored(Anchor(kind="tag", key=key, label=key), {"term": {"tag_keys": key}}, [key])
    ids = entities.resolve(value)
    if not ids:
        raise invalid("of", f"unknown entity {value!r} (see GET /v1/entities?q=)", of)
    names = [entity_name(i) or i for i in ids]
    return Anchored(
        Anchor(kind="entity", key=ids[0] if len(ids) == 1 else value, label=" / ".join(names)),
        {"terms": {"entity_tree": ids}},
        ids,
    )


@dataclass(frozen=True)
class CoParams:
    """The endpoint's own parameters, checked (the anchor resolved)."""

    of: Anchored
    kind: KindParam
    size: int
    min_count: int
    sort: Sort
    family: bool
    format: str

    @classmethod
    def read(
        cls, of: str, kind: KindParam, size: int, min_count: int, sort: Sort, family: bool, format: str
    ) -> CoParams:
        return cls(read_anchor(of), kind, size, min_count, sort, family, format)

    @property
    def kinds(self) -> list[Kind]:
        return ["entity", "tag"] if self.kind == "both" else [self.kind]

    def pairs(self) -> list[tuple[str, Any]]:
        anchor = self.of.anchor
        return [
            ("of", f"{anchor.kind}:{anchor.key}"),
            ("kind", self.kind),
            ("size", self.size),
            ("min_count", self.min_count),
            ("sort", self.sort),
            ("family", self.family),
            ("format", self.format),
        ]


def candidates_aggs(p: CoParams) -> dict[str, Any]:
    """The items most often found with the anchor (more of them to sort by lift)."""
    pool = min(p.size * (5 if p.sort == "lift" else 2) + 20, 1000)
    inner = {k: T.terms_agg(k, pool, min_doc_count=p.min_count) for k in p.kinds}
    return {"anchor": {"filter": p.of.clause, "aggs": inner}}


def parse_candidates(p: CoParams, aggs: dict[str, Any]) -> dict[str, list[str]]:
    """Per kind, the candidates that are not the anchor itself (nor, unless ``family``, its
    descendants, which co-occur by definition)."""
    anchor, ids = p.of.anchor, set(p.of.ids)
    anchor_aggs = aggs.get("anchor") or {}
    out: dict[str, list[str]] = {}
    for k in p.kinds:
        keys = keys_of(anchor_aggs, k)
        if k == "entity" and anchor.kind == "entity":
            keys = [i for i in keys if i not in ids and (p.family or ids.isdisjoint(entities.ancestors(i)))]
        if k == "tag" and anchor.kind == "tag":
            keys = [t for t in keys if t != anchor.key]
        out[k] = keys
    return out


def counts_aggs(p: CoParams, candidates: dict[str, list[str]]) -> dict[str, Any]:
    """Exact counts of the candidates with the anchor and overall, and the tags' spellings."""
    anchor = p.of.anchor
    aggs: dict[str, Any] = {
        "anchor": {"filter": p.of.clause, "aggs": {k: T.exact_agg(k, candidates[k]) for k in p.kinds}},
        **{k: T.exact_agg(k, candidates[k]) for k in p.kinds},
    }
    tag_keys = candidates.get("tag", []) + ([anchor.key] if anchor.kind == "tag" else [])
    if tag_keys:
        aggs["labels"] = T.labels_agg(tag_keys)
    return aggs


def parse_list(
    p: CoParams, k: Kind, keys: list[str], aggs: dict[str, Any], total: int, tags: dict[str, str]
) -> list[CoItem]:
    """The items of kind ``k`` in the order asked for, at most ``size``."""
    anchor_count = int(aggs["anchor"]["doc_count"])
    both, alone = T.counts(aggs["anchor"], k), T.counts(aggs, k)
    out: list[CoItem] = []
    for key in keys:
        c, n = both.get(key, 0), alone.get(key, 0)
        if c < p.min_count or not n:
            continue
        out.append(
            CoItem(
                kind=k,
                key=key,
                label=T.label(k, key, tags),
                type=T.item_type(k, key),
                count=c,
                total=n,
                share=share(c, anchor_count),
                lift=(c * total) / (anchor_count * n) if anchor_count else 0.0,
            )
        )
    if p.sort == "lift":
        out.sort(key=lambda i: (-i.lift, -i.count, i.key))
    else:
        out.sort(key=lambda i: (-i.count, -i.lift, i.key))
    return out[: p.size]


async def run_cooccurrence(
    es: AsyncElasticsearch, settings: Settings, a: Ask, p: CoParams
) -> CooccurrenceResponse:
    searches = Searches(es, settings)
    r1 = await searches(query=a.query(), track_total_hits=True, aggs=candidates_aggs(p))
    total = int(r1["hits"]["total"]["value"])
    candidates = parse_candidates(p, aggregations(r1))
    r2 = await searches(query=a.query(), aggs=counts_aggs(p, candidates), track_total_hits=False)
    aggs = aggregations(r2)
    tags = T.parse_labels(aggs, "labels")
    anchor = p.of.anchor
    if anchor.kind == "tag":
        anchor = anchor.model_copy(update={"label": tags.get(anchor.key, anchor.key)})
    lists = {k: parse_list(p, k, candidates[k], aggs, total, tags) for k in p.kinds}
    timed_out, partial = searches.flags()
    return CooccurrenceResponse(
        query=answered(a, PATH, p.pairs()),
        of=anchor,
        total=total,
        anchor_count=int(aggs["anchor"]["doc_count"]),
        entities=lists.get("entity", []),
        tags=lists.get("tag", []),
        timed_out=timed_out,
        partial=partial,
    )


def cooccurrence_table(body: CooccurrenceResponse) -> Table:
    """The entities, then the tags."""
    rows = [
        [i.kind, i.key, i.label, i.type, i.count, i.total, i.share, i.lift]
        for i in (*body.entities, *body.tags)
    ]
    return Table(COLUMNS, rows, body.query.canonical, "cooccurrence.csv")
