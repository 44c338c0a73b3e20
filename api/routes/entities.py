"""``GET /v1/entities?q=`` (lookup by any alias, prefix allowed, either script) and
``GET /v1/entities/{id}`` (the entity's profile, from the knowledge base and the index).

The searches are ``api.query.entity_stats``'s, the responses ``api.present.entity_profile``'s."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.models import EntitiesResponse, EntityProfile
from api.present.entity_profile import entities_response, profile_response
from api.query.entity_stats import counted_lookup, profile_search
from api.security import require_api_key

router = APIRouter(prefix="/v1", tags=["entities"], dependencies=[Depends(require_api_key)])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    404: {"model": ERROR_RESPONSES[422]["model"], "description": "no entity with this id"},
}


@router.get("/entities", response_model=EntitiesResponse, responses=ERROR_RESPONSES, summary="Find entities")
async def find_entities(
    es: Es,
    settings: Conf,
    q: Annotated[str, Query(min_length=1, max_length=100, description="an alias or its start, either script",
                            openapi_examples={"en": {"value": "anthro"}, "ja": {"value": "アンソロ"}})],
    size: Annotated[int, Query(ge=1, le=50, description="how many")] = 10,
) -> EntitiesResponse:
    return entities_response(q, await counted_lookup(es, settings, q, size))


@router.get("/entities/{entity_id}", response_model=EntityProfile, responses=RESPONSES,
            summary="An entity's profile")
async def entity_profile(
    es: Es,
    settings: Conf,
    entity_id: Annotated[str, Path(min_length=1, max_length=200, examples=["anthropic"])],
    top: Annotated[int, Query(ge=1, le=50, description="co-occurring entities and tags to list")] = 10,
    recent: Annotated[int, Query(ge=0, le=50, description="recent posts to list")] = 5,
) -> EntityProfile:
    info, resp = await profile_search(es, settings, entity_id, top, recent)
    return profile_response(info, resp, top)
