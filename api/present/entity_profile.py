"""The answers of ``/v1/entities`` (a lookup, with mention counts) and ``/v1/entities/{id}``
(a profile), from the searches of ``api.query.entity_stats``."""

from __future__ import annotations

from typing import Any

from api.models import EntitiesResponse, EntityCount, EntityProfile, EntitySummary, FacetBucket, PostRef
from api.present.entity import entity_name, entity_ref
from api.present.facets import tag_labels
from api.present.hits import ref_fields
from api.query import entities


def entity_summary(info: entities.Info, count: int | None) -> EntitySummary:
    return EntitySummary(id=info.id, name=info.name, type=info.type, names=info.names,
                         aliases=list(info.aliases), parent=info.parent, mention_count=count)


def entities_response(q: str, found: list[tuple[entities.Info, int]]) -> EntitiesResponse:
    """The entities a lookup found, each with the posts that name it."""
    return EntitiesResponse(q=q, entities=[entity_summary(info, count) for info, count in found])


def _buckets(aggs: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list(aggs.get(name, {}).get("buckets", []))


def profile_response(info: entities.Info, resp: Any, top: int) -> EntityProfile:
    """The profile of ``info`` from ``profile_search``: its ``top`` co-occurring entities
    (itself left out) and tags, and its recent posts."""
    aggs = (resp.get("aggregations") or {}).get("direct", {})
    labels = tag_labels(_buckets(aggs, "labels"))
    co = [b for b in _buckets(aggs, "co") if b["key"] != info.id][:top]
    return EntityProfile(
        **entity_summary(info, int(aggs.get("doc_count", 0))).model_dump(),
        children=[entity_ref(c) for c in entities.children(info.id)],
        ancestors=[entity_ref(a) for a in entities.ancestors(info.id)],
        tree_mention_count=int(resp["hits"]["total"]["value"]),
        first_seen=aggs.get("first", {}).get("value_as_string"),
        last_seen=aggs.get("last", {}).get("value_as_string"),
        co_entities=[EntityCount(id=b["key"], name=entity_name(b["key"]), count=int(b["doc_count"]))
                     for b in co],
        top_tags=[FacetBucket(key=b["key"], label=labels.get(b["key"], b["key"]), count=int(b["doc_count"]))
                  for b in _buckets(aggs, "tags")],
        recent_posts=[PostRef(**ref_fields(h)) for h in resp["hits"]["hits"]],
    )
