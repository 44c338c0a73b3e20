"""One post by id: its ``_source``, or a 404 when there is no such post."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError

from api.backend import client, guarded, missing_index
from api.errors import NotFound
from indexer.config import Settings


async def fetch_post(es: AsyncElasticsearch, settings: Settings, post_id: str, **kw: Any) -> dict[str, Any]:
    """The stored post ``post_id`` (``kw``: options of the get, e.g. ``source_includes``)."""
    try:
        resp = await guarded(es, settings, client(es, settings).get(index=settings.index, id=post_id, **kw))
    except NotFoundError as exc:
        if missing_index(exc):  # a missing index is an outage, not a missing post
            raise
        raise NotFound(f"no post with id {post_id!r}") from exc
    if not resp.get("found"):
        raise NotFound(f"no post with id {post_id!r}")
    return dict(resp["_source"])
