"""A whole result set read in ``id`` order, for ``/v1/export``.

The counts and the snapshot are made before the first byte is sent, so their failures get
their usual status. The posts are then read in batches of ``BATCH`` from the snapshot with
``search_after``: constant memory whatever the count. ``resume_after`` (the last id a broken
download received) continues with the next id, from a fresh snapshot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch

from api.backend import client, guarded
from api.query.pit import Snapshot, any_error
from indexer.config import Settings

BATCH = 1000
ID_ORDER: list[dict[str, Any]] = [{"id": {"order": "asc"}}]


@dataclass
class ExportScan:
    snapshot: Snapshot
    query: dict[str, Any]  # without scores: cheaper, and the order is by id anyway
    resume_after: str | None
    total: int  # every post matching, also when resuming
    remaining: int  # those after resume_after

    async def batches(self, paths: list[str]) -> AsyncIterator[list[dict[str, Any]]]:
        """The ``_source`` (``paths`` only) of each post, a batch at a time; the snapshot is
        closed at the end, however it comes."""
        after: list[Any] | None = [self.resume_after] if self.resume_after else None
        try:
            while True:
                body: dict[str, Any] = {
                    "query": self.query,
                    "sort": ID_ORDER,
                    "size": BATCH,
                    "source": paths,
                    "track_total_hits": False,
                }
                if after is not None:
                    body["search_after"] = after
                # any refusal: the snapshot may have expired under a slow reader; a new one, same place
                resp = await self.snapshot.search(body, expired=any_error)
                hits = resp["hits"]["hits"]
                if not hits:
                    break
                yield [h.get("_source") or {} for h in hits]
                after = list(hits[-1]["sort"])[:1]  # the id (not the PIT's implicit tiebreaker)
                if len(hits) < BATCH:
                    break
        finally:
            await self.snapshot.close()


async def open_scan(
    es: AsyncElasticsearch, settings: Settings, query: dict[str, Any], resume_after: str | None
) -> ExportScan:
    """The posts matching ``query`` counted, and a snapshot of them opened."""
    constant = {"bool": {"filter": [query]}}
    es_client = client(es, settings)
    count = await guarded(es, settings, es_client.count(index=settings.index, query=constant))
    total = int(count["count"])
    remaining = total
    if resume_after:
        after = {"bool": {"filter": [query, {"range": {"id": {"gt": resume_after}}}]}}
        left = await guarded(es, settings, es_client.count(index=settings.index, query=after))
        remaining = int(left["count"])
    snapshot = await Snapshot.open(es, settings)
    return ExportScan(snapshot=snapshot, query=constant, resume_after=resume_after, total=total,
                      remaining=remaining)
