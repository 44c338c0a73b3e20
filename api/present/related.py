"""The related posts of one post as the response: what each shares with it."""

from __future__ import annotations

from typing import Any

from elastic_transport import ObjectApiResponse

from api.models import RelatedPost, RelatedResponse
from api.present.hits import ref_fields


def related_response(post_id: str, src: dict[str, Any], resp: ObjectApiResponse[Any]) -> RelatedResponse:
    """``resp`` (the search of ``api.query.related``) for the post ``src``."""
    mine_e = set(src.get("entity_ids") or [])
    mine_t = set(src.get("tag_keys") or [])
    out = []
    for h in resp["hits"]["hits"]:
        s = h["_source"]
        out.append(
            RelatedPost(
                **ref_fields(h),
                score=float(h.get("_score") or 0.0),
                shared_entities=[e for e in s.get("entity_ids") or [] if e in mine_e],
                shared_tags=[t for t in s.get("tag_keys") or [] if t in mine_t],
                translation=s.get("translation_of") == post_id or src.get("translation_of") == s.get("id"),
            )
        )
    return RelatedResponse(id=post_id, related=out)
