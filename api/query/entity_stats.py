"""What the index says of entities: how many posts name each entity a lookup found, and the
search behind an entity's profile (its posts, when it was named, what appears with it).

``entity_ids`` holds the entities a post names itself; ``entity_tree`` adds their ancestors,
so a profile's ``tree_mention_count`` and recent posts include the entity's descendants.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from api.backend import client, guarded, search_timeout
from api.errors import NotFound
from api.present.hits import REF_SOURCE
from api.query import entities
from indexer.config import Settings


async def counted_lookup(
    es: AsyncElasticsearch, settings: Settings, q: str, size: int
) -> list[tuple[entities.Info, int]]:
    """The entities ``q`` names by alias or alias prefix, each with the posts naming it."""
    found = entities.lookup(q.strip(), size) if q.strip() else []
    if not found:
        return []
    ids = [f.id for f in found]
    resp = await guarded(es, settings, client(es, settings).search(
        index=settings.index, size=0, timeout=search_timeout(settings),
        aggs={"n": {"terms": {"field": "entity_ids", "size": len(ids), "include": ids}}}))
    counts = {b["key"]: int(b["doc_count"])
              for b in (resp.get("aggregations") or {}).get("n", {}).get("buckets", [])}
    return [(f, counts.get(f.id, 0)) for f in found]


def profile_aggs(entity_id: str, top: int) -> dict[str, Any]:
    """Over the posts naming the entity itself: first and last date, the ``top`` entities and
    tags with it (one more entity: the entity itself is among them), and the tags' spellings."""
    return {
        "direct": {
            "filter": {"term": {"entity_ids": entity_id}},
            "aggs": {
                "first": {"min": {"field": "published"}},
                "last": {"max": {"field": "published"}},
                "co": {"terms": {"field": "entity_ids", "size": top + 1}},
                "tags": {"terms": {"field": "tag_keys", "size": top}},
                "labels": {"terms": {"field": "tag_labels", "size": top * 4}},
            },
        }
    }


async def profile_search(
    es: AsyncElasticsearch, settings: Settings, entity_id: str, top: int, recent: int
) -> tuple[entities.Info, Any]:
    """The entity (a 404 when the knowledge base neither lists nor derives it) and the search
    of its ``recent`` newest posts, with ``profile_aggs``."""
    info = entities.describe(entity_id)
    if info is None:
        raise NotFound(f"no entity with id {entity_id!r} (see GET /v1/entities?q=)")
    resp = await guarded(es, settings, client(es, settings).search(
        index=settings.index,
        query={"term": {"entity_tree": entity_id}},
        size=recent,
        sort=[{"published": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        source=REF_SOURCE,
        track_total_hits=True,
        timeout=search_timeout(settings),
        aggs=profile_aggs(entity_id, top),
    ))
    return info, resp
