"""``GET /v1/tags?prefix=``: tags with post counts, for autocomplete (``api.query.tags``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.models import TagsResponse
from api.query.tags import find_tags
from api.security import require_api_key

router = APIRouter(prefix="/v1", tags=["tags"], dependencies=[Depends(require_api_key)])


@router.get("/tags", response_model=TagsResponse, responses=ERROR_RESPONSES, summary="Tags with counts")
async def tags(
    es: Es,
    settings: Conf,
    prefix: Annotated[str | None, Query(max_length=100, description="start of a tag (any spelling)",
                                        openapi_examples={"welfare": {"value": "model w"}})] = None,
    size: Annotated[int, Query(ge=1, le=100, description="how many tags")] = 20,
) -> TagsResponse:
    return TagsResponse(prefix=prefix, tags=await find_tags(es, settings, prefix, size))
