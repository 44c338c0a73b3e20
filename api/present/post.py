"""A stored post as the ``/v1/posts/{id}`` response: the post as indexed, with its entities
named."""

from __future__ import annotations

from typing import Any

from api.models import EntityMentionOut, PostResponse
from api.present.entity import entity_ref
from indexer.index import DERIVED_FIELDS
from indexer.post import Post


def post_response(src: dict[str, Any]) -> PostResponse:
    """``src`` (a ``_source``) without the index's derived fields, which are not part of a post."""
    post = Post.model_validate({k: v for k, v in src.items() if k not in DERIVED_FIELDS})
    mentions = [EntityMentionOut(count=m.count, **entity_ref(m.id).model_dump()) for m in post.entities]
    return PostResponse(post=post, entities=mentions, tag_keys=list(src.get("tag_keys") or []))
