"""Point-in-time snapshots, shared by search cursors and exports.

A snapshot pins what a walk through many pages reads. Each search in it renews its keep-alive
and may hand back a new id; a snapshot that expired (unused for ``PIT_KEEP_ALIVE``) is
replaced by a new one and the search sent once more, so a walk continues after its last hit
(it then reads the index as it is now). Closing is best effort: an expired or unknown
snapshot needs no closing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Callable
from typing import Any

from elastic_transport import ObjectApiResponse
from elasticsearch import ApiError, AsyncElasticsearch

from api.backend import client, guarded
from api.present.cursor import CursorError
from indexer.config import Settings

PIT_KEEP_ALIVE = "5m"
_PIT_GONE = ("search_context_missing", "no search context")
_background: set[asyncio.Task[None]] = set()  # closings under way (kept from garbage collection)
RESOLVED_MAX_AGE = 5.0  # seconds a resolved alias binds first pages' cursors without asking again
_RESOLVED: weakref.WeakKeyDictionary[AsyncElasticsearch, dict[str, tuple[float, tuple[str, ...]]]] = (
    weakref.WeakKeyDictionary()
)


def pit_missing(exc: ApiError) -> bool:
    """The snapshot is gone (expired or closed): a new one can take its place."""
    text = str(exc).lower()
    return exc.meta.status == 404 or (exc.meta.status == 400 and any(w in text for w in _PIT_GONE))


def any_error(exc: ApiError) -> bool:
    """Every refusal counts as an expired snapshot (an export's slow reader): one more try."""
    return True


async def concrete_indices(es: AsyncElasticsearch, settings: Settings) -> tuple[str, ...]:
    """The indices behind ``settings.index`` now (a cursor is bound to them)."""
    resp = await guarded(es, settings, client(es, settings).indices.resolve_index(name=settings.index))
    names = {i for a in resp.get("aliases") or [] for i in a.get("indices") or []}
    names.update(i["name"] for i in resp.get("indices") or [])
    found = tuple(sorted(names))
    _RESOLVED.setdefault(es, {})[settings.index] = (time.monotonic(), found)
    return found


async def indices_of_page(
    es: AsyncElasticsearch, settings: Settings, hits: list[dict[str, Any]]
) -> tuple[str, ...]:
    """The indices to bind a first page's ``next_cursor`` to: those resolved within
    ``RESOLVED_MAX_AGE`` when every hit came from one of them, else resolved now. Saves a
    request per page; an alias changed in the last seconds shows in the hits' ``_index``."""
    seen = _RESOLVED.get(es, {}).get(settings.index)
    fresh = seen is not None and time.monotonic() - seen[0] < RESOLVED_MAX_AGE
    if seen is not None and fresh and all(h.get("_index") in seen[1] for h in hits):
        return seen[1]
    return await concrete_indices(es, settings)


async def open_pit(es: AsyncElasticsearch, settings: Settings) -> str:
    resp = await guarded(
        es, settings, client(es, settings).open_point_in_time(index=settings.index, keep_alive=PIT_KEEP_ALIVE)
    )
    return str(resp["id"])


async def close_pit(es: AsyncElasticsearch, pit: str) -> None:
    with contextlib.suppress(Exception):  # an expired or unknown PIT needs no closing
        await es.options(request_timeout=5, max_retries=0).close_point_in_time(id=pit)


def close_later(es: AsyncElasticsearch, pit: str) -> None:
    """Close ``pit`` without making the response wait for it."""
    task = asyncio.ensure_future(close_pit(es, pit))
    _background.add(task)
    task.add_done_callback(_background.discard)


class Snapshot:
    """One point in time of ``settings.index``; ``id`` follows what Elasticsearch hands back."""

    def __init__(
        self, es: AsyncElasticsearch, settings: Settings, pit: str, *, from_cursor: bool = False
    ) -> None:
        self.es = es
        self.settings = settings
        self.id = pit
        # an id a client sent back (in a cursor) that was not read yet: if Elasticsearch
        # refuses it, the cursor is at fault (422), not the server
        self._from_cursor = from_cursor

    @classmethod
    async def open(cls, es: AsyncElasticsearch, settings: Settings) -> Snapshot:
        return cls(es, settings, await open_pit(es, settings))

    @classmethod
    def resume(cls, es: AsyncElasticsearch, settings: Settings, pit: str) -> Snapshot:
        """The snapshot of a cursor."""
        return cls(es, settings, pit, from_cursor=True)

    async def _search(self, body: dict[str, Any]) -> ObjectApiResponse[Any]:
        pit = {"id": self.id, "keep_alive": PIT_KEEP_ALIVE}
        return await guarded(self.es, self.settings, client(self.es, self.settings).search(pit=pit, **body))

    async def search(
        self, body: dict[str, Any], expired: Callable[[ApiError], bool] = pit_missing
    ) -> ObjectApiResponse[Any]:
        """``body`` searched in the snapshot; when ``expired`` says it is gone, in a new one."""
        from_cursor, self._from_cursor = self._from_cursor, False
        try:
            resp = await self._search(body)
        except ApiError as exc:
            if not expired(exc):
                if from_cursor and await self._unreadable():
                    raise CursorError("this cursor's point-in-time id is not one Elasticsearch can read; "
                                      "start again with cursor=*") from exc
                raise
            self.id = await open_pit(self.es, self.settings)  # the snapshot expired: a new one, same place
            resp = await self._search(body)
        self.id = str(resp.get("pit_id") or self.id)
        return resp

    async def _unreadable(self) -> bool:
        """Elasticsearch refuses the PIT id itself (not the query): asked once, with no query."""
        try:
            await guarded(self.es, self.settings, client(self.es, self.settings).search(
                pit={"id": self.id}, size=0, track_total_hits=False))
        except ApiError as exc:
            return exc.meta.status == 400
        return False

    async def reads_elsewhere(self, indices: tuple[str, ...]) -> bool:
        """The snapshot holds documents of indices other than ``indices`` (a cursor signed with
        the real key but pointing elsewhere; its posts are already filtered out of the page)."""
        resp = await guarded(self.es, self.settings, client(self.es, self.settings).search(
            pit={"id": self.id}, size=0, track_total_hits=1,
            query={"bool": {"must_not": [{"terms": {"_index": list(indices)}}]}},
        ))
        return int(resp["hits"]["total"]["value"]) > 0

    async def close(self) -> None:
        await close_pit(self.es, self.id)
