"""Bulk writes with bounded memory and retries.

Whole-request failures (connection errors, timeouts, 5xx) are retried with exponential
backoff; per-document 429s are retried alone; other per-document errors come back to the
caller, which rejects those posts. When Elasticsearch stays unreachable, ``Unreachable``
is raised so the CLI can exit with a clear message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError

MAX_DOCS = 500
MAX_BYTES = 8 * 1024 * 1024
BULK_TIMEOUT = 120.0  # a large bulk on a busy node can take long; that is not an outage
MAX_DELAY = 8.0  # seconds between retries, at most


class Unreachable(RuntimeError):
    """Elasticsearch did not answer after every retry."""


@dataclass
class BulkResult:
    written: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc id, reason)


@dataclass
class BulkWriter:
    es: Elasticsearch
    index: str
    retries: int = 6
    backoff: float = 0.5
    refresh: bool = False
    sleep: Callable[[float], None] = time.sleep
    _ops: list[bytes] = field(default_factory=list)
    _ids: list[str] = field(default_factory=list)
    _bytes: int = 0
    result: BulkResult = field(default_factory=BulkResult)

    def add(self, doc_id: str, doc: dict[str, Any]) -> None:
        body = orjson.dumps(doc)
        head = orjson.dumps({"index": {"_index": self.index, "_id": doc_id}})
        if self._ids and self._bytes + len(body) > MAX_BYTES:
            self.flush()
        self._ops.extend((head, body))
        self._ids.append(doc_id)
        self._bytes += len(head) + len(body) + 2
        if len(self._ids) >= MAX_DOCS:
            self.flush()

    def flush(self) -> None:
        pending = list(zip(self._ids, zip(self._ops[0::2], self._ops[1::2], strict=True), strict=True))
        self._ops, self._ids, self._bytes = [], [], 0
        attempt = 0
        while pending:
            items = self._send(b"\n".join(h + b"\n" + b for _, (h, b) in pending) + b"\n", attempt)
            retry = []
            for (doc_id, ops), item in zip(pending, items, strict=True):
                outcome = item.get("index", {})
                status = outcome.get("status", 500)
                if status < 300:
                    self.result.written += 1
                elif status == 429 and attempt < self.retries:
                    retry.append((doc_id, ops))
                else:
                    err = outcome.get("error") or {}
                    reason = err.get("reason") if isinstance(err, dict) else str(err)
                    self.result.failed.append((doc_id, f"elasticsearch refused it ({status}): {reason}"))
            pending = retry
            if pending:
                attempt += 1
                self.sleep(self._delay(attempt))

    def _send(self, payload: bytes, attempt: int) -> list[dict[str, Any]]:
        last: Exception | None = None
        for n in range(attempt, self.retries + 1):
            try:
                resp = self.es.options(request_timeout=BULK_TIMEOUT).bulk(
                    operations=payload,
                    refresh="wait_for" if self.refresh else False,
                )
                return list(resp["items"])
            except (ESConnectionError, TransportError) as exc:
                last = exc
            except ApiError as exc:
                if exc.meta.status < 500 and exc.meta.status != 429:
                    raise
                last = exc
            self.sleep(self._delay(n))
        raise Unreachable(f"Elasticsearch bulk failed after {self.retries} retries: {last}")

    def _delay(self, attempt: int) -> float:
        return min(self.backoff * 2**attempt, MAX_DELAY)

    def close(self) -> BulkResult:
        if self._ids:
            self.flush()
        return self.result
