"""Posts related to one post, by content and shared entities, across languages.

The post's key terms (its most frequent nouns and names) against other posts' key terms and
token fields, its entities against theirs (an entity joins a Japanese and an English post that
share no word), its tags, and its translation link. Token fields are not stored, so nothing
here needs term vectors or ``more_like_this``.
"""

from __future__ import annotations

from typing import Any

from elastic_transport import ObjectApiResponse
from elasticsearch import AsyncElasticsearch

from api.backend import client, guarded, search_timeout
from api.present.hits import REF_SOURCE
from api.query.lookup import fetch_post
from indexer.config import Settings

# what the query is made of (read from the post) and what a related post shows
POST_SOURCE = ["id", "key_terms", "entity_ids", "tag_keys", "translation_of"]
RELATED_SOURCE = [*REF_SOURCE, "entity_ids", "tag_keys", "translation_of"]


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


async def related_search(
    es: AsyncElasticsearch, settings: Settings, post_id: str, size: int
) -> tuple[dict[str, Any], ObjectApiResponse[Any]]:
    """The post (its ``POST_SOURCE`` fields; 404 when missing) and the search for its ``size``
    most related posts."""
    src = await fetch_post(es, settings, post_id, source_includes=POST_SOURCE)
    resp = await guarded(
        es, settings,
        client(es, settings).search(
            index=settings.index,
            query=related_query(post_id, src),
            size=size,
            source=RELATED_SOURCE,
            timeout=search_timeout(settings),
        ),
    )
    return src, resp
