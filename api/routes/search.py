"""``GET /v1/search``: the query language, filters, facets, highlights, pages and cursors.

Sorts (every one ends with a unique tiebreaker, so pages never overlap or skip):

* ``relevance`` (default): text score blended with recency and importance, then newest, then id.
  The blend is ``score × (1 + 0.3·recency + 0.3·log10(1 + importance))`` where ``recency`` is a
  Gaussian decay on ``published`` (1 at now, 0.5 at one year). Without words in ``q`` the text
  score is constant, so the order is recency and importance.
* ``-date``: newest first; ``date``: oldest first; ``importance``: most important first, then
  newest. Undated posts come last.

Paging: ``page``/``size`` (size ≤ 100) reach the first 10,000 hits. Past that, or for a stable
walk through everything, use ``cursor``: ``cursor=*`` starts one (a point-in-time snapshot of
the index), each response gives ``next_cursor`` until the last page. Send the same ``q``,
filters and ``sort`` with the cursor. A cursor whose snapshot expired (after 5 minutes unused)
still works: a new snapshot is opened and the walk continues after the last hit delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Annotated, Any, Literal

from elasticsearch import ApiError, AsyncElasticsearch
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from api.backend import client, guarded, search_timeout, shards_partial
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES
from api.models import EntityRef, QueryInfo, QueryWarning, SearchResponse
from api.present import facets as facet_mod
from api.present.cursor import Cursor, CursorError, decode, encode
from api.present.highlight import Highlighter
from api.present.hits import HIT_SOURCE, to_hit
from api.query import entities
from api.query.build import Compiled
from api.query.params import QParam, SearchFilters, compile_search, fingerprint, search_filters
from api.query.zone import TzParam, zoned
from api.security import require_api_key
from indexer.config import Settings

log = logging.getLogger("aiposts.api")

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[Depends(require_api_key)])

SortName = Literal["relevance", "date", "-date", "importance"]
MAX_WINDOW = 10_000  # index.max_result_window
PIT_KEEP_ALIVE = "5m"
RECENCY_WEIGHT = 0.3
IMPORTANCE_WEIGHT = 0.3

_PUBLISHED_DESC = {"published": {"order": "desc", "missing": "_last"}}
SORTS: dict[str, list[dict[str, Any]]] = {
    "relevance": [{"_score": {"order": "desc"}}, _PUBLISHED_DESC, {"id": {"order": "asc"}}],
    "-date": [_PUBLISHED_DESC, {"id": {"order": "asc"}}],
    "date": [{"published": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
    "importance": [
        {"importance": {"order": "desc", "missing": "_last"}},
        _PUBLISHED_DESC,
        {"id": {"order": "asc"}},
    ],
}


def blended(query: dict[str, Any]) -> dict[str, Any]:
    """The relevance blend (see the module docstring); only core function_score features."""
    return {
        "function_score": {
            "query": query,
            "functions": [
                {"weight": 1},
                {
                    "filter": {"exists": {"field": "published"}},
                    "gauss": {"published": {"origin": "now", "scale": "365d", "decay": 0.5}},
                    "weight": RECENCY_WEIGHT,
                },
                {
                    "filter": {"exists": {"field": "importance"}},
                    "field_value_factor": {"field": "importance", "modifier": "log1p", "missing": 0},
                    "weight": IMPORTANCE_WEIGHT,
                },
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


def facet_names(raw: list[str] | None) -> list[str]:
    names: list[str] = []
    for item in raw or []:
        for name in item.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in facet_mod.FACETS:
                raise RequestValidationError(
                    [{"type": "value_error", "loc": ("query", "facets"),
                      "msg": f"unknown facet {name!r}; choose from {', '.join(facet_mod.FACETS)}",
                      "input": item}]
                )
            if name not in names:
                names.append(name)
    return names


def query_info(q: str | None, compiled: Compiled, match: str = "all") -> QueryInfo:
    refs = []
    for entity_id in compiled.entity_ids:
        info = entities.describe(entity_id)
        refs.append(EntityRef(id=entity_id, name=info.name if info else None,
                              type=info.type if info else None))
    return QueryInfo(
        q=q,
        match=match,
        entities=refs,
        warnings=[QueryWarning(message=w.message, position=w.position) for w in compiled.warnings],
    )


_PIT_TROUBLE = ("search_context_missing", "no search context", "point in time", "pit", "decode")


def _pit_missing(exc: ApiError) -> bool:
    """The cursor's snapshot is gone (expired, closed, or not a PIT id at all)."""
    text = str(exc).lower()
    return exc.meta.status in (400, 404) and any(word in text for word in _PIT_TROUBLE)


async def _open_pit(es: AsyncElasticsearch, settings: Settings) -> str:
    resp = await guarded(
        es, settings, client(es, settings).open_point_in_time(index=settings.index, keep_alive=PIT_KEEP_ALIVE)
    )
    return str(resp["id"])


async def _close_pit(es: AsyncElasticsearch, pit: str) -> None:
    with contextlib.suppress(Exception):  # an expired or unknown PIT needs no closing
        await es.options(request_timeout=5, max_retries=0).close_point_in_time(id=pit)


_background: set[asyncio.Task[None]] = set()


def close_later(es: AsyncElasticsearch, pit: str) -> None:
    task = asyncio.ensure_future(_close_pit(es, pit))
    _background.add(task)
    task.add_done_callback(_background.discard)


@router.get(
    "/search",
    response_model=SearchResponse,
    response_model_exclude_none=False,
    responses=ERROR_RESPONSES,
    summary="Search posts",
)
async def search(
    request: Request,
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    filters: Annotated[SearchFilters, Depends(search_filters)],
    q: QParam = None,
    sort: Annotated[
        SortName, Query(description="relevance (blended), -date (newest first), date, importance")
    ] = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_WINDOW, description="1-based page (page × size ≤ 10,000)")] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="hits per page")] = 10,
    cursor: Annotated[
        str | None,
        Query(max_length=8192, description="'*' to start deep paging, then the next_cursor of the last page"),
    ] = None,
    facets: Annotated[
        list[str] | None,
        Query(description="comma-separated: tags, entities, sources, langs, months",
              openapi_examples={"all": {"value": ["tags,entities,sources,langs,months"]}}),
    ] = None,
    facet_size: Annotated[
        int, Query(ge=1, le=facet_mod.MAX_FACET_SIZE, description="buckets per facet")
    ] = 10,
    highlight: Annotated[bool, Query(description="snippets of the original text with matches marked")] = True,
    tz: TzParam = None,
) -> SearchResponse:
    names = facet_names(facets)
    filters, zone = zoned(request, filters, tz)
    compiled = compile_search(q, filters)
    fp = fingerprint(q, filters, sort)
    body: dict[str, Any] = {
        "query": blended(compiled.query) if sort == "relevance" else compiled.query,
        "sort": SORTS[sort],
        "size": size,
        "track_total_hits": True,
        "source": HIT_SOURCE,
        "timeout": search_timeout(settings),
    }
    if names:
        body["aggs"] = facet_mod.aggregations(names, facet_size, zone.name if zone else "UTC")
    es_client = client(es, settings)
    seen = 0
    pit: str | None = None
    if cursor is not None:
        if cursor.strip() == "*":
            state = Cursor(fingerprint=fp, after=[])
        else:
            state = decode(cursor.strip())
            if state.fingerprint != fp:
                raise CursorError("this cursor belongs to another query: send the same q, filters and sort")
            if len(state.after) != len(SORTS[sort]):
                raise CursorError("cursor is not one this API issued")
        seen = state.seen
        pit = state.pit or await _open_pit(es, settings)
        if state.after:
            body["search_after"] = state.after
        try:
            resp = await guarded(
                es, settings, es_client.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
            )
        except ApiError as exc:
            if not _pit_missing(exc):
                raise
            pit = await _open_pit(es, settings)  # the snapshot expired: a new one, same place
            resp = await guarded(
                es, settings, es_client.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
            )
        pit = str(resp.get("pit_id") or pit)
    else:
        start = (page - 1) * size
        if start + size > MAX_WINDOW:
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("query", "page"),
                  "msg": f"page × size may reach hit {MAX_WINDOW:,} at most; use cursor=* to go deeper",
                  "input": page}]
            )
        seen = start
        resp = await guarded(es, settings, es_client.search(index=settings.index, from_=start, **body))

    raw_hits = resp["hits"]["hits"]
    total = int(resp["hits"]["total"]["value"])
    highlighter = Highlighter(compiled.highlight, compiled.entity_ids) if highlight else None
    hits = [to_hit(h, highlighter, with_score=sort == "relevance") for h in raw_hits]
    delivered = seen + len(raw_hits)
    next_cursor = None
    if raw_hits and delivered < total and len(raw_hits) == size:
        # only our own sort values: the PIT's implicit _shard_doc tiebreaker is not needed (the
        # sort ends with the unique id) and would not survive a new PIT
        after = list(raw_hits[-1]["sort"])[: len(SORTS[sort])]
        next_cursor = encode(Cursor(fingerprint=fp, after=after, pit=pit, seen=delivered))
    elif pit is not None:
        close_later(es, pit)
    return SearchResponse(
        total=total,
        took_ms=int(resp.get("took", 0)),
        timed_out=bool(resp.get("timed_out")),
        partial=shards_partial(resp),
        page=None if cursor is not None else page,
        size=size,
        sort=sort,
        hits=hits,
        next_cursor=next_cursor,
        facets=facet_mod.parse(names, resp.get("aggregations") or {}) if names else None,
        query=query_info(q, compiled, filters.match),
    )
