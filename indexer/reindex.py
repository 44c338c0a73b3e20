"""``aiposts-index reindex``: a new index version, filled and then swapped in atomically.

The alias keeps pointing at the old version until the new one is complete, so searches
answer throughout. Posts are re-analyzed from their stored originals (or from source files),
which is how a change of analysis or mapping reaches the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index import create_next_version, current_index, drop_index, from_source, swap_alias, versions
from indexer.ingest import Ingest, Summary
from indexer.rejects import RejectsFile
from indexer.sources.base import Location, Parsed, Reject

PAGE = 500


@dataclass
class ReindexReport:
    alias: str
    old: str | None
    new: str
    dropped: list[str]
    summary: Summary

    def line(self) -> str:
        moved = f"{self.old} -> {self.new}" if self.old else self.new
        tail = f"; dropped {', '.join(self.dropped)}" if self.dropped else ""
        return f"reindex {self.alias}: {moved}: {self.summary.line()}{tail}"


def stored_posts(es: Elasticsearch, index: str) -> Iterator[Parsed | Reject]:
    """Every post of ``index`` in id order, paged with a point in time and search_after."""
    pit = es.open_point_in_time(index=index, keep_alive="5m")["id"]
    try:
        after = None
        while True:
            resp = es.search(
                pit={"id": pit, "keep_alive": "5m"},
                size=PAGE,
                sort=[{"_shard_doc": "asc"}],
                search_after=after,
                track_total_hits=False,
            )
            hits = resp["hits"]["hits"]
            if not hits:
                return
            pit = resp.get("pit_id", pit)
            for hit in hits:
                where = Location(f"{index}/{hit['_id']}")
                try:
                    yield Parsed(from_source(hit["_source"]), where)
                except ValueError as exc:
                    yield Reject(where, f"stored post no longer valid: {exc}")
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)


def reindex(
    es: Elasticsearch,
    settings: Settings,
    alias: str,
    rejects: RejectsFile,
    *,
    from_source: list[Path] | None = None,
    fmt: str = "auto",
    drop_old: bool = False,
    workers: int = 0,
) -> ReindexReport:
    old = current_index(es, alias)
    if old is None and not from_source:
        raise RuntimeError(f"alias {alias!r} does not exist: ingest first, or use --from-source")
    new = create_next_version(es, alias, settings.shards, settings.replicas)
    job = Ingest(
        es,
        new,
        rejects,
        workers=workers,
        max_chars=settings.analysis_max_chars,
        cache_mb=settings.analysis_cache_mb,
        force=True,
        refresh=False,
    )
    try:
        if from_source:
            summary = job.run(from_source, fmt)
        else:
            assert old is not None
            summary = job.run_records(stored_posts(es, old))
    except BaseException:
        drop_index(es, new)  # a half-built version must never be swapped in or left behind
        raise
    previous = swap_alias(es, alias, new)
    dropped: list[str] = []
    if drop_old:
        # every older version goes, not only the one just replaced
        for _, name in versions(es, alias):
            if name != new:
                drop_index(es, name)
                dropped.append(name)
    return ReindexReport(alias, previous, new, dropped, summary)
