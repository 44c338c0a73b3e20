"""``GET /v1/posts/{id}`` (the whole post) and ``GET /v1/posts/{id}/related``.

Related posts are found by content and by shared entities, across languages: the query is
``api.query.related``'s, the response ``api.present.related``'s.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.models import PostResponse, RelatedResponse
from api.present.post import post_response
from api.present.related import related_response
from api.query.lookup import fetch_post
from api.query.related import related_search
from api.security import require_api_key

router = APIRouter(prefix="/v1", tags=["posts"], dependencies=[Depends(require_api_key)])

PostId = Annotated[
    str, Path(min_length=1, max_length=512, description="the post id", examples=["sample-jl-10"])
]
RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    404: {"model": ERROR_RESPONSES[422]["model"], "description": "no post with this id"},
}
SizeParam = Annotated[int, Query(ge=1, le=50, description="how many")]


@router.get("/posts/{post_id}", response_model=PostResponse, responses=RESPONSES, summary="One whole post")
async def get_post(
    post_id: PostId,
    es: Es,
    settings: Conf,
) -> PostResponse:
    return post_response(await fetch_post(es, settings, post_id))


@router.get(
    "/posts/{post_id}/related",
    response_model=RelatedResponse,
    responses=RESPONSES,
    summary="Posts related by content and shared entities, across languages",
)
async def related(
    post_id: PostId,
    es: Es,
    settings: Conf,
    size: SizeParam = 10,
) -> RelatedResponse:
    src, resp = await related_search(es, settings, post_id, size)
    return related_response(post_id, src, resp)
