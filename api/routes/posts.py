"""``GET /v1/posts/{id}`` (the whole post) and ``GET /v1/posts/{id}/related``.

Related posts are found by content and by shared entities, across languages: the post's key
terms (its most frequent nouns and names) against other posts' key terms and token fields,
its entities against theirs (an entity joins a Japanese and an English post that share no
word), its tags, and its translation link. Token fields are not stored, so nothing here needs
term vectors or ``more_like_this``.
"""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import AsyncElasticsearch, NotFoundError
from fastapi import APIRouter, Depends, Path, Query

from api.backend import client, guarded, search_timeout
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES, NotFound
from api.models import EntityMentionOut, PostResponse, RelatedPost, RelatedResponse
from api.present.hits import display_title
from api.query import entities
from api.security import require_api_key
from indexer.config import Settings
from indexer.index.document import DERIVED_FIELDS
from indexer.post import Post

router = APIRouter(prefix="/v1", tags=["posts"], dependencies=[Depends(require_api_key)])

PostId = Annotated[
    str, Path(min_length=1, max_length=512, description="the post id", examples=["sample-jl-10"])
]
_DERIVED = DERIVED_FIELDS  # the index contract's derived fields: not part of the stored post
RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    404: {"model": ERROR_RESPONSES[422]["model"], "description": "no post with this id"},
}


async def fetch(es: AsyncElasticsearch, settings: Settings, post_id: str, **kw: Any) -> dict[str, Any]:
    try:
        resp = await guarded(es, settings, client(es, settings).get(index=settings.index, id=post_id, **kw))
    except NotFoundError as exc:
        if "index_not_found" in str(exc):
            raise
        raise NotFound(f"no post with id {post_id!r}") from exc
    if not resp.get("found"):
        raise NotFound(f"no post with id {post_id!r}")
    return dict(resp["_source"])


@router.get("/posts/{post_id}", response_model=PostResponse, responses=RESPONSES, summary="One whole post")
async def get_post(
    post_id: PostId,
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> PostResponse:
    src = await fetch(es, settings, post_id)
    post = Post.model_validate({k: v for k, v in src.items() if k not in _DERIVED})
    mentions = []
    for m in post.entities:
        info = entities.describe(m.id)
        mentions.append(EntityMentionOut(id=m.id, count=m.count, name=info.name if info else None,
                                         type=info.type if info else None))
    return PostResponse(post=post, entities=mentions, tag_keys=list(src.get("tag_keys") or []))


def related_query(post_id: str, src: dict[str, Any]) -> dict[str, Any]:
    should: list[dict[str, Any]] = []
    terms = [t for t in (src.get("key_terms") or [])[:25] if t]
    for t in terms:
        should.append({"term": {"key_terms": {"value": t, "boost": 1.0}}})
    single = [t for t in terms if " " not in t]
    if single:
        for lang in ("ja", "en"):
            should.append({"match": {f"search.{lang}.text": {"query": " ".join(single),
                                                              "minimum_should_match": "30%", "boost": 0.5}}})
    for e in (src.get("entity_ids") or [])[:20]:
        should.append({"term": {"entity_ids": {"value": e, "boost": 2.0}}})
    for k in (src.get("tag_keys") or [])[:20]:
        should.append({"term": {"tag_keys": {"value": k, "boost": 1.0}}})
    should.append({"term": {"translation_of": {"value": post_id, "boost": 20.0}}})
    if src.get("translation_of"):
        should.append({"term": {"id": {"value": src["translation_of"], "boost": 20.0}}})
    not_itself = [{"ids": {"values": [post_id]}}]
    return {"bool": {"should": should, "minimum_should_match": 1, "must_not": not_itself}}


@router.get(
    "/posts/{post_id}/related",
    response_model=RelatedResponse,
    responses=RESPONSES,
    summary="Posts related by content and shared entities, across languages",
)
async def related(
    post_id: PostId,
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    size: Annotated[int, Query(ge=1, le=50, description="how many")] = 10,
) -> RelatedResponse:
    src = await fetch(
        es, settings, post_id,
        source_includes=["id", "key_terms", "entity_ids", "tag_keys", "translation_of"],
    )
    resp = await guarded(
        es, settings,
        client(es, settings).search(
            index=settings.index,
            query=related_query(post_id, src),
            size=size,
            source=["id", "url", "texts.ja.title", "texts.en.title", "published", "source", "lang",
                    "entity_ids", "tag_keys", "translation_of"],
            timeout=search_timeout(settings),
        ),
    )
    mine_e = set(src.get("entity_ids") or [])
    mine_t = set(src.get("tag_keys") or [])
    out = []
    for h in resp["hits"]["hits"]:
        s = h["_source"]
        out.append(
            RelatedPost(
                id=str(s.get("id") or h["_id"]),
                title=display_title(s),
                url=s.get("url"),
                published=s.get("published"),
                source=s.get("source"),
                lang=s.get("lang"),
                score=float(h.get("_score") or 0.0),
                shared_entities=[e for e in s.get("entity_ids") or [] if e in mine_e],
                shared_tags=[t for t in s.get("tag_keys") or [] if t in mine_t],
                translation=s.get("translation_of") == post_id or src.get("translation_of") == s.get("id"),
            )
        )
    return RelatedResponse(id=post_id, related=out)
