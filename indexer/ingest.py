"""Files -> posts -> analysis -> Elasticsearch, idempotently.

Unchanged posts (same content hash and analysis version as in the index) are neither
analyzed nor written, so re-running an ingest, or resuming one that was killed, writes only
what is missing or changed and ends with the posts one clean run gives.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from elasticsearch import Elasticsearch

from indexer.analysis_pool import AnalysisPool, Analyzed, failure, sized_batches
from indexer.index import BulkWriter, build_document, stored_hashes
from indexer.post import ANALYSIS_VERSION, Post
from indexer.progress import Progress
from indexer.rejects import RejectsFile
from indexer.sources import read_records
from indexer.sources._io import RAW_CAP
from indexer.sources.base import Location, Parsed, Reject

_ITEM = re.compile(r"^item \d+:\s*")
_QUOTED = re.compile(r"\s*(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
_PARENS = re.compile(r"\s*\([^()]*\)")
_AT = re.compile(r"\s+at (?:byte|line|offset) \d+\b.*$")
_KEY_MAX = 80


def reason_key(rej: Reject) -> str:
    """The summary category of a reject: the reader's own when it names one, else the reason
    without what varies (item numbers, quoted values, parenthesised detail, positions), up to
    its first ``:`` or ``;``. A bare field name (``tags: Input should be ...``) reads as
    ``invalid tags``."""
    if rej.kind:
        return rej.kind
    text = _ITEM.sub("", rej.reason)
    text = _PARENS.sub("", _QUOTED.sub("", text))
    text = re.split(r"[:;]", text, maxsplit=1)[0]
    text = _AT.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" ,.")
    if not text:
        return "other"
    if " " not in text:  # a field path from a validation error
        text = f"invalid {text}"
    if len(text) > _KEY_MAX:  # whole words only
        text = text[:_KEY_MAX].rsplit(" ", 1)[0] + " …"
    return text


@dataclass
class Summary:
    read: int = 0
    indexed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    truncated: int = 0
    undated: int = 0  # posts read without a publication date (indexed with published null)
    encodings: dict[str, int] = field(default_factory=dict)  # posts read per non-UTF-8 encoding
    reject_reasons: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        parts = [
            f"read {self.read}",
            f"indexed {self.indexed}",
            f"unchanged {self.unchanged}",
            f"rejected {self.rejected}",
        ]
        if self.duplicates:
            parts.append(f"duplicates {self.duplicates}")
        if self.truncated:
            parts.append(f"analyzed in part (too long) {self.truncated}")
        if self.undated:
            parts.append(f"without a date {self.undated}")
        if self.encodings:
            parts.append("read from " + ", ".join(f"{k} {v}" for k, v in sorted(self.encodings.items())))
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "truncated": self.truncated,
            "undated": self.undated,
            "encodings": self.encodings,
            "reject_reasons": self.reject_reasons,
        }


@dataclass
class Ingest:
    es: Elasticsearch
    index: str
    rejects: RejectsFile
    workers: int = 0
    max_chars: int = 1_000_000
    cache_mb: int | None = None  # line memo per analysis process (None: its default)
    progress: Progress | None = None
    force: bool = False  # analyze and write even unchanged posts (reindex from source files)
    refresh: bool = True
    log: IO[str] | None = None  # per-record notes (posts without a date, files not in UTF-8)
    summary: Summary = field(default_factory=Summary)
    _seen: dict[str, tuple[bytes, Location]] = field(default_factory=dict)
    _noted_file: str = ""

    def reject(self, rej: Reject) -> None:
        self.summary.rejected += 1
        key = reason_key(rej)
        self.summary.reject_reasons[key] = self.summary.reject_reasons.get(key, 0) + 1
        self.rejects.write(rej)

    def _note(self, rec: Parsed, post: Post) -> None:
        """Count (and log) what the post was indexed without or read through."""
        if rec.encoding is not None:
            self.summary.encodings[rec.encoding] = self.summary.encodings.get(rec.encoding, 0) + 1
            if self.log is not None and rec.location.path != self._noted_file:
                self._noted_file = rec.location.path
                print(f"encoding {rec.location.path}: read as {rec.encoding}", file=self.log)
        if post.published is None:
            self.summary.undated += 1
            if self.log is not None:
                print(f"no date {rec.location}: post {post.id} is indexed without a publication date",
                      file=self.log)

    def _batches(self, records: Iterator[Parsed | Reject]) -> Iterator[list[Post]]:
        """Batches for analysis, of the posts that are new or changed (all with ``force``)."""
        for batch in sized_batches(self._posts(records)):
            yield self._changed(batch)

    def _posts(self, records: Iterator[Parsed | Reject]) -> Iterator[Post]:
        """Each post read, once, carrying its content hash; rejects are written and duplicate
        ids counted or rejected as they pass."""
        for rec in records:
            if isinstance(rec, Reject):
                self.reject(rec)
                continue
            self.summary.read += 1
            if self.progress:
                self.progress.advance(str(rec.location.path))
            post: Post = rec.post  # type: ignore[assignment]
            self._note(rec, post)
            digest = post.compute_hash()
            fingerprint = hashlib.sha1(digest.encode()).digest()[:12]
            first = self._seen.get(post.id)
            if first is not None:
                if first[0] == fingerprint:
                    self.summary.duplicates += 1
                else:
                    self.reject(
                        Reject(
                            rec.location,
                            f"duplicate id {post.id!r} with different content (first at {first[1]})",
                            post.model_dump_json().encode()[:RAW_CAP],
                            kind="duplicate id with different content",
                        )
                    )
                continue
            self._seen[post.id] = (fingerprint, rec.location)
            yield post.model_copy(update={"content_hash": digest})

    def _changed(self, batch: list[Post]) -> list[Post]:
        """The posts of ``batch`` whose content or analysis version differ from the index's."""
        if self.force:
            return batch
        stored = stored_hashes(self.es, self.index, [p.id for p in batch])
        out = []
        for post in batch:
            old = stored.get(post.id)
            if (
                old
                and old.get("content_hash") == post.content_hash
                and old.get("analysis_version") == ANALYSIS_VERSION
            ):
                self.summary.unchanged += 1
            else:
                out.append(post)
        return out

    def _write(self, writer: BulkWriter, done: Analyzed) -> None:
        """Queue the post's document, or reject the post when its analysis (or its document)
        failed."""
        error = done.error
        if done.analysis is not None:
            try:
                doc = build_document(done.post, done.analysis)
            except Exception as exc:  # one post's failure must not sink the run
                error = failure(exc)
            else:
                if done.analysis.truncated:
                    self.summary.truncated += 1
                writer.add(done.post.id, doc)
                return
        self.reject(Reject(self._where(done.post.id), error or "analysis failed"))

    def _where(self, post_id: str) -> Location:
        seen = self._seen.get(post_id)
        return seen[1] if seen else Location(f"post {post_id}")

    def run(self, paths: list[Path], fmt: str = "auto") -> Summary:
        return self.run_records(read_records(paths, fmt))

    def run_records(self, records: Iterator[Parsed | Reject]) -> Summary:
        writer = BulkWriter(self.es, self.index)
        with AnalysisPool(self.workers, self.max_chars, self.cache_mb) as pool:
            for analyzed in pool.run(self._batches(records)):
                for done in analyzed:
                    self._write(writer, done)
            pool.close()
        result = writer.close()
        for doc_id, reason in result.failed:
            self.reject(Reject(self._where(doc_id), reason))
        self.summary.indexed = result.written
        if self.refresh:
            self.es.options(request_timeout=120).indices.refresh(index=self.index)
        return self.summary
