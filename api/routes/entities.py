"""``GET /v1/entities?q=`` (lookup by any alias, prefix allowed, either script) and
``GET /v1/entities/{id}`` (the entity's profile, from the knowledge base and the index)."""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import AsyncElasticsearch
from fastapi import APIRouter, Depends, Path, Query

from api.backend import client, guarded, search_timeout
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES, NotFound
from api.models import (
    EntitiesResponse,
    EntityCount,
    EntityProfile,
    EntityRef,
    EntitySummary,
    FacetBucket,
    PostRef,
)
from api.present.facets import tag_labels
from api.present.hits import display_title
from api.query import entities
from api.security import require_api_key
from indexer.config import Settings

router = APIRouter(prefix="/v1", tags=["entities"], dependencies=[Depends(require_api_key)])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    404: {"model": ERROR_RESPONSES[422]["model"], "description": "no entity with this id"},
}


def _summary(info: entities.Info, count: int | None) -> EntitySummary:
    return EntitySummary(id=info.id, name=info.name, type=info.type, names=info.names,
                         aliases=list(info.aliases), parent=info.parent, mention_count=count)


def _ref(entity_id: str) -> EntityRef:
    info = entities.describe(entity_id)
    return EntityRef(id=entity_id, name=info.name if info else None, type=info.type if info else None)


@router.get("/entities", response_model=EntitiesResponse, responses=ERROR_RESPONSES, summary="Find entities")
async def find_entities(
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    q: Annotated[str, Query(min_length=1, max_length=100, description="an alias or its start, either script",
                            openapi_examples={"en": {"value": "anthro"}, "ja": {"value": "アンソロ"}})],
    size: Annotated[int, Query(ge=1, le=50, description="how many")] = 10,
) -> EntitiesResponse:
    found = entities.lookup(q.strip(), size) if q.strip() else []
    counts: dict[str, int] = {}
    if found:
        ids = [f.id for f in found]
        resp = await guarded(es, settings, client(es, settings).search(
            index=settings.index, size=0, timeout=search_timeout(settings),
            aggs={"n": {"terms": {"field": "entity_ids", "size": len(ids), "include": ids}}}))
        counts = {b["key"]: int(b["doc_count"])
                  for b in (resp.get("aggregations") or {}).get("n", {}).get("buckets", [])}
    return EntitiesResponse(q=q, entities=[_summary(f, counts.get(f.id, 0)) for f in found])


@router.get("/entities/{entity_id}", response_model=EntityProfile, responses=RESPONSES,
            summary="An entity's profile")
async def entity_profile(
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    entity_id: Annotated[str, Path(min_length=1, max_length=200, examples=["anthropic"])],
    top: Annotated[int, Query(ge=1, le=50, description="co-occurring entities and tags to list")] = 10,
    recent: Annotated[int, Query(ge=0, le=50, description="recent posts to list")] = 5,
) -> EntityProfile:
    info = entities.describe(entity_id)
    if info is None:
        raise NotFound(f"no entity with id {entity_id!r} (see GET /v1/entities?q=)")
    direct = {"term": {"entity_ids": entity_id}}
    resp = await guarded(es, settings, client(es, settings).search(
        index=settings.index,
        query={"term": {"entity_tree": entity_id}},
        size=recent,
        sort=[{"published": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        source=["id", "url", "texts.ja.title", "texts.en.title", "published", "source", "lang"],
        track_total_hits=True,
        timeout=search_timeout(settings),
        aggs={
            "direct": {
                "filter": direct,
                "aggs": {
                    "first": {"min": {"field": "published"}},
                    "last": {"max": {"field": "published"}},
                    "co": {"terms": {"field": "entity_ids", "size": top + 1}},
                    "tags": {"terms": {"field": "tag_keys", "size": top}},
                    "labels": {"terms": {"field": "tag_labels", "size": top * 4}},
                },
            }
        },
    ))
    aggs = (resp.get("aggregations") or {}).get("direct", {})
    labels = tag_labels(aggs.get("labels", {}).get("buckets", []))
    co = [b for b in aggs.get("co", {}).get("buckets", []) if b["key"] != entity_id][:top]
    posts = []
    for h in resp["hits"]["hits"]:
        s = h["_source"]
        posts.append(PostRef(id=str(s.get("id") or h["_id"]), title=display_title(s), url=s.get("url"),
                             published=s.get("published"), source=s.get("source"), lang=s.get("lang")))
    return EntityProfile(
        **_summary(info, int(aggs.get("doc_count", 0))).model_dump(),
        children=[_ref(c) for c in entities.children(entity_id)],
        ancestors=[_ref(a) for a in entities.ancestors(entity_id)],
        tree_mention_count=int(resp["hits"]["total"]["value"]),
        first_seen=aggs.get("first", {}).get("value_as_string"),
        last_seen=aggs.get("last", {}).get("value_as_string"),
        co_entities=[EntityCount(id=b["key"], name=_ref(b["key"]).name, count=int(b["doc_count"]))
                     for b in co],
        top_tags=[FacetBucket(key=b["key"], label=labels.get(b["key"], b["key"]), count=int(b["doc_count"]))
                  for b in aggs.get("tags", {}).get("buckets", [])],
        recent_posts=posts,
    )
