"""One page of ``/v1/search`` hits, and the cursor to the next one.

``page``/``size`` reach the first ``MAX_WINDOW`` hits (``from``). Past that, or for a stable
walk through everything, a cursor: ``*`` opens a point-in-time snapshot, each page with more to
come gives a signed ``next_cursor`` holding the last hit's sort values (``search_after``), the
snapshot, the count delivered, the walk's "now" and the concrete indices behind the alias. A
cursor for another query or other indices is a 422 on ``cursor`` (``CursorError``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elastic_transport import ObjectApiResponse
from elasticsearch import AsyncElasticsearch

from api.backend import client, guarded
from api.cursor_key import cursor_key
from api.errors import invalid
from api.present.cursor import Cursor, CursorError, check_after, decode, encode
from api.query.pit import Snapshot, close_later, concrete_indices, indices_of_page
from api.query.search_request import SearchRequest
from api.query.sort import SORT_KINDS, SORTS
from indexer.config import Settings

MAX_WINDOW = 10_000  # index.max_result_window
_MISSING_LAST = -(2**63)  # the sort value Elasticsearch gives a missing date sorted last, descending
_SCORE_SLACK = 1e-5  # far above float32 rounding (6e-8), far below a real score difference


@dataclass
class _Walk:
    """What the next cursor is made of, filled in while the page is fetched."""

    key: bytes  # signs and checks cursors
    now_ms: int  # the recency origin of the page (a cursor's own, when it holds one)
    pit: str | None = None
    indices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    reply: ObjectApiResponse[Any]  # Elasticsearch's answer
    seen: int  # hits delivered before this page
    next_cursor: str | None
    total: int  # posts matching (the reply's count, plus any a cursor left out: they match too)


async def fetch_page(
    es: AsyncElasticsearch, settings: Settings, search: SearchRequest, page: int, cursor: str | None
) -> Page:
    """Page ``page`` of ``search``, or the page ``cursor`` points to when one is given."""
    now_ms = int(time.time() * 1000)  # the recency origin of this page and of its next_cursor
    key = cursor_key(settings)  # read up front: a broken key file fails every search alike
    if cursor is None:
        return await _by_offset(es, settings, search, page, _Walk(key, now_ms))
    return await _by_cursor(es, settings, search, cursor.strip(), _Walk(key, now_ms))


async def _by_offset(
    es: AsyncElasticsearch, settings: Settings, search: SearchRequest, page: int, walk: _Walk
) -> Page:
    start = (page - 1) * search.size
    if start + search.size > MAX_WINDOW:
        raise invalid("page", f"page × size may reach hit {MAX_WINDOW:,} at most; use cursor=* to go deeper",
                      page)
    resp = await guarded(es, settings, client(es, settings).search(index=settings.index, from_=start,
                                                                   **search.body(walk.now_ms, rescore=True)))
    if resp["hits"]["hits"]:  # the indices bind the next_cursor (a page without hits has none)
        walk.indices = await indices_of_page(es, settings, resp["hits"]["hits"])
    return _page(es, search, resp, start, walk)


async def _by_cursor(
    es: AsyncElasticsearch, settings: Settings, search: SearchRequest, token: str, walk: _Walk
) -> Page:
    if token == "*":
        snapshot = await Snapshot.open(es, settings)
        walk.indices = await concrete_indices(es, settings)
        state = Cursor(fingerprint=search.fingerprint, after=[], indices=walk.indices)
        body = search.body(walk.now_ms)
    else:
        walk.indices = await concrete_indices(es, settings)
        state = _continued(token, walk.key, search, walk.indices, settings.index)
        if search.sort == "relevance" and state.now_ms is not None:
            walk.now_ms = state.now_ms  # the walk's scores stay those of its first page
        snapshot = (Snapshot.resume(es, settings, state.pit) if state.pit
                    else await Snapshot.open(es, settings))
        body = _after(search.body(walk.now_ms), state.after, walk.indices, state.skip)
    resp = await snapshot.search(body)
    walk.pit = snapshot.id
    if (state.after and not resp["hits"]["total"]["value"]
            and await snapshot.reads_elsewhere(walk.indices)):
        raise CursorError("this cursor's point in time reads another index than the one it is bound to; "
                          "start again with cursor=*")
    return _page(es, search, resp, state.seen, walk, left_out=len(state.skip))


def _continued(token: str, key: bytes, search: SearchRequest, current: tuple[str, ...], alias: str) -> Cursor:
    """The cursor in ``token`` if it continues this query on these indices, else CursorError."""
    state = decode(token, key)
    if state.fingerprint != search.fingerprint:
        raise CursorError("this cursor belongs to another query: send the same q, filters and sort")
    if state.indices != current:
        raise CursorError(
            f"this cursor reads index {', '.join(state.indices)}, but {alias} is now "
            f"{', '.join(current) or 'missing'} (rebuilt or swapped); start again with cursor=*"
        )
    check_after(state.after, SORT_KINDS[search.sort])
    return state


def _continuation(hits: list[dict[str, Any]], sort: str) -> tuple[list[Any], tuple[str, ...]]:
    """Where the next page starts: the last hit's values of ``SORTS[sort]`` as Elasticsearch
    gave them, and nothing to leave out. After a rescored relevance page (sorted by score
    alone) the next page is one single-phase query, whose score for the same post may differ
    in the last float bit: it starts just above the last score and leaves out the hits of this
    page at or below that, so nothing repeats and nothing is skipped."""
    last = hits[-1]
    if "sort" in last:
        return list(last["sort"])[: len(SORTS[sort])], ()
    above = float(last["_score"]) * (1 + _SCORE_SLACK)
    skip = tuple(str(h["_id"]) for h in hits if float(h["_score"]) <= above)
    return [above, *_published_and_id(last)], skip


def _published_and_id(hit: dict[str, Any]) -> list[Any]:
    src = hit.get("_source") or {}
    published = src.get("published")
    when = _MISSING_LAST
    if published:
        dt = datetime.fromisoformat(str(published))
        when = int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp() * 1000)
    return [when, str(src.get("id") or hit["_id"])]


def _after(
    body: dict[str, Any], after: list[Any], indices: tuple[str, ...], skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``body`` continued after ``after``, counting only the bound indices, whatever the PIT
    holds, and leaving out ``skip`` (see ``_continuation``)."""
    only_bound = {"terms": {"_index": list(indices)}}
    bound: dict[str, Any] = {"bool": {"must": [body["query"]], "filter": [only_bound]}}
    if skip:
        bound["bool"]["must_not"] = [{"ids": {"values": list(skip)}}]
    return {**body, "query": bound, "search_after": after}


def _page(
    es: AsyncElasticsearch, search: SearchRequest, resp: ObjectApiResponse[Any], seen: int, walk: _Walk,
    left_out: int = 0,
) -> Page:
    """The page with its next_cursor, while more hits follow; else the snapshot is let go."""
    raw_hits = resp["hits"]["hits"]
    delivered = seen + len(raw_hits)
    total = int(resp["hits"]["total"]["value"]) + left_out
    next_cursor = None
    if raw_hits and delivered < total and len(raw_hits) == search.size:
        # only our own sort values: the PIT's implicit _shard_doc tiebreaker is not needed (the
        # sort ends with the unique id) and would not survive a new PIT
        after, skip = _continuation(raw_hits, search.sort)
        state = Cursor(fingerprint=search.fingerprint, after=after, pit=walk.pit, seen=delivered,
                       indices=walk.indices, now_ms=walk.now_ms, skip=skip)
        next_cursor = encode(state, walk.key)
    elif walk.pit is not None:
        close_later(es, walk.pit)
    return Page(reply=resp, seen=seen, next_cursor=next_cursor, total=total)
