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
Cursors are signed (``AIPOSTS_CURSOR_KEY``) and bound to the query and to the concrete indices
behind the alias: an altered cursor, or one for another query or index, is a 422 on ``cursor``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Annotated, Any, Literal

from elasticsearch import ApiError, AsyncElasticsearch
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError

from api.backend import client, guarded, search_timeout, shards_partial
from api.cursor_key import cursor_key
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES
from api.models import EntityRef, QueryInfo, QueryWarning, SearchResponse
from api.present import facets as facet_mod
from api.present.cursor import Cursor, CursorError, SortKind, check_after, decode, encode
from api.present.highlight import Highlighter
from api.present.hits import HIT_SOURCE, to_hit
from api.query import entities
from api.query.build import Compiled, passage_hits
from api.query.params import QParam, SearchFilters, compile_search, fingerprint, search_filters
from api.query.schema import CURSOR_SCHEMA, comma_list
from api.query.zone import TzParam, zoned
from api.security import require_api_key
from indexer.config import Settings

log = logging.getLogger("aiposts.api")

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[Depends(require_api_key)])

SortName = Literal["relevance", "date", "-date", "importance"]
MAX_WINDOW = 10_000  # index.max_result_window
PIT_KEEP_ALIVE = "5m"
RECENCY_WEIGHT = 0.1
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
# what each sort's search_after values are (a cursor's are checked against them)
SORT_KINDS: dict[str, tuple[SortKind, ...]] = {
    "relevance": ("score", "long", "keyword"),
    "-date": ("long", "keyword"),
    "date": ("long", "keyword"),
    "importance": ("int", "long", "keyword"),
}


def blended(query: dict[str, Any], now_ms: int | None = None) -> dict[str, Any]:
    """The relevance blend (see the module docstring); only core function_score features.
    ``now_ms`` pins the recency origin: every page of a cursor walk scores with the same "now",
    else a hit's score moves by a rounding step between pages and search_after repeats or
    skips it."""
    return {
        "function_score": {
            "query": query,
            "functions": [
                {"weight": 1},
                {
                    "filter": {"exists": {"field": "published"}},
                    "gauss": {"published": {"origin": "now" if now_ms is None else str(now_ms),
                                            "scale": "365d", "decay": 0.5}},
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


def _empty_reason(compiled: Compiled, match: str) -> QueryWarning:
    """Why a query with words came back empty: said in ``query.warnings``, never silently."""
    words = ", ".join(t.text for t in compiled.highlight[:8])
    if match in ("all", "most"):
        return QueryWarning(message=f"no post has {'every' if match == 'all' else 'enough'} of the words "
                            f"({words}) with these filters; match=best ranks posts with some of them",
                            position=0)
    return QueryWarning(message=f"no post has any of the words ({words}) with these filters", position=0)


def query_info(q: str | None, compiled: Compiled, match: str = "all", empty: bool = False) -> QueryInfo:
    refs = []
    for entity_id in compiled.entity_ids:
        info = entities.describe(entity_id)
        refs.append(EntityRef(id=entity_id, name=info.name if info else None,
                              type=info.type if info else None))
    return QueryInfo(
        q=q,
        match=match,
        entities=refs,
        warnings=[QueryWarning(message=w.message, position=w.position) for w in compiled.warnings]
        + ([_empty_reason(compiled, match)] if empty and compiled.scored else []),
    )


_PIT_GONE = ("search_context_missing", "no search context")


def _pit_missing(exc: ApiError) -> bool:
    """The cursor's snapshot is gone (expired or closed): a new one can take its place."""
    text = str(exc).lower()
    return exc.meta.status == 404 or (exc.meta.status == 400 and any(w in text for w in _PIT_GONE))


async def _pit_unreadable(es: AsyncElasticsearch, settings: Settings, pit: str) -> bool:
    """Elasticsearch refuses the PIT id itself (not the query): asked once, with no query."""
    try:
        await guarded(es, settings, client(es, settings).search(pit={"id": pit}, size=0,
                                                                track_total_hits=False))
    except ApiError as exc:
        return exc.meta.status == 400
    return False


async def _pit_reads_elsewhere(
    es: AsyncElasticsearch, settings: Settings, pit: str, indices: tuple[str, ...]
) -> bool:
    """The PIT holds documents of indices other than ``indices`` (a cursor signed with the real
    key but pointing elsewhere; its posts are already filtered out of the page)."""
    resp = await guarded(es, settings, client(es, settings).search(
        pit={"id": pit}, size=0, track_total_hits=1,
        query={"bool": {"must_not": [{"terms": {"_index": list(indices)}}]}},
    ))
    return int(resp["hits"]["total"]["value"]) > 0


async def _concrete_indices(es: AsyncElasticsearch, settings: Settings) -> tuple[str, ...]:
    """The indices behind ``settings.index`` now (a cursor is bound to them)."""
    resp = await guarded(es, settings, client(es, settings).indices.resolve_index(name=settings.index))
    names = {i for a in resp.get("aliases") or [] for i in a.get("indices") or []}
    names.update(i["name"] for i in resp.get("indices") or [])
    return tuple(sorted(names))


def _continue(token: str, key: bytes, fp: str, sort: str, current: tuple[str, ...], alias: str) -> Cursor:
    """The cursor in ``token`` if it continues this query on these indices, else CursorError."""
    state = decode(token, key)
    if state.fingerprint != fp:
        raise CursorError("this cursor belongs to another query: send the same q, filters and sort")
    if state.indices != current:
        raise CursorError(
            f"this cursor reads index {', '.join(state.indices)}, but {alias} is now "
            f"{', '.join(current) or 'missing'} (rebuilt or swapped); start again with cursor=*"
        )
    check_after(state.after, SORT_KINDS[sort])
    return state


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
    page: Annotated[
        int, Query(ge=1, le=MAX_WINDOW, description="1-based page; page × size may not pass 10,000 (422)")
    ] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="hits per page")] = 10,
    cursor: Annotated[
        str | None,
        Query(max_length=8192, json_schema_extra=CURSOR_SCHEMA,
              description="'*' to start deep paging, then the next_cursor of the last page (opaque: "
              "only a next_cursor this API issued for the same q, filters and sort is accepted)"),
    ] = None,
    facets: Annotated[
        list[str] | None,
        Query(description="comma-separated: tags, entities, sources, langs, months",
              json_schema_extra=comma_list(facet_mod.FACETS),
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
    now_ms = int(time.time() * 1000)  # the recency origin of this page and of its next_cursor
    query = passage_hits(compiled.query) if highlight else compiled.query
    body: dict[str, Any] = {
        "query": blended(query, now_ms) if sort == "relevance" else query,
        "sort": SORTS[sort],
        "size": size,
        "track_total_hits": True,
        "source": HIT_SOURCE,
        "timeout": search_timeout(settings),
    }
    if names:
        body["aggs"] = facet_mod.aggregations(names, facet_size, zone.name if zone else "UTC")
    es_client = client(es, settings)
    key = cursor_key(settings)
    seen = 0
    pit: str | None = None
    indices: tuple[str, ...] = ()
    if cursor is not None:
        if cursor.strip() == "*":
            pit = await _open_pit(es, settings)
            indices = await _concrete_indices(es, settings)
            state = Cursor(fingerprint=fp, after=[], indices=indices)
        else:
            indices = await _concrete_indices(es, settings)
            state = _continue(cursor.strip(), key, fp, sort, indices, settings.index)
            if sort == "relevance" and state.now_ms is not None:
                now_ms = state.now_ms
                body["query"] = blended(query, now_ms)
            pit = state.pit or await _open_pit(es, settings)
            # only the bound indices count, whatever the PIT holds
            only_bound = {"terms": {"_index": list(indices)}}
            body["query"] = {"bool": {"must": [body["query"]], "filter": [only_bound]}}
            body["search_after"] = state.after
        seen = state.seen
        try:
            resp = await guarded(
                es, settings, es_client.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
            )
        except ApiError as exc:
            if state.pit and not _pit_missing(exc) and await _pit_unreadable(es, settings, state.pit):
                raise CursorError("this cursor's point-in-time id is not one Elasticsearch can read; "
                                  "start again with cursor=*") from exc
            if not _pit_missing(exc):
                raise
            pit = await _open_pit(es, settings)  # the snapshot expired: a new one, same place
            resp = await guarded(
                es, settings, es_client.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
            )
        pit = str(resp.get("pit_id") or pit)
        if (state.after and not resp["hits"]["total"]["value"]
                and await _pit_reads_elsewhere(es, settings, pit, indices)):
            raise CursorError("this cursor's point in time reads another index than the one it is bound to; "
                              "start again with cursor=*")
    else:
        start = (page - 1) * size
        if start + size > MAX_WINDOW:
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("query", "page"),
                  "msg": f"page × size may reach hit {MAX_WINDOW:,} at most; use cursor=* to go deeper",
                  "input": page}]
            )
        seen = start
        resp, indices = await asyncio.gather(  # the indices bind the next_cursor
            guarded(es, settings, es_client.search(index=settings.index, from_=start, **body)),
            _concrete_indices(es, settings),
        )

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
        state = Cursor(fingerprint=fp, after=after, pit=pit, seen=delivered, indices=indices, now_ms=now_ms)
        next_cursor = encode(state, key)
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
        query=query_info(q, compiled, filters.match, empty=total == 0 and seen == 0),
    )
