"""Calls to Elasticsearch for the read endpoints: bounded in time, and told apart from outages.

``guarded`` gives a call half of ``AIPOSTS_ES_WAIT``. When it is not done by then, a cheap
probe (cluster health) gets the other half: no answer means Elasticsearch is out of reach, and
the request gets a 503 with Retry-After within ``AIPOSTS_ES_WAIT`` seconds; an answer means the
search is merely slow, and it may run up to ``AIPOSTS_ES_TIMEOUT``. Searches also carry an
Elasticsearch ``timeout`` below that, so a slow search comes back partial and flagged
``timed_out`` rather than not at all.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable
from typing import Any, TypeVar

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout

from api.errors import ElasticsearchUnavailable, cannot_connect, no_answer
from indexer.config import Settings

T = TypeVar("T")


def failover_retries(settings: Settings) -> int:
    """Retries of one request: none on a single URL (guarded bounds the wait instead); with
    several URLs, one per other URL, so that a node that refuses or drops the connection (dead)
    is passed over for the next one. Timeouts are never retried (retry_on_timeout stays off)."""
    return max(0, len(settings.es_hosts) - 1)


_OPTIONED: weakref.WeakKeyDictionary[AsyncElasticsearch, dict[tuple[float, int], AsyncElasticsearch]] = (
    weakref.WeakKeyDictionary()
)


def client(es: AsyncElasticsearch, settings: Settings) -> AsyncElasticsearch:
    """The client for one request: the long timeout (guarded bounds the wait), and retries
    only to go on to another node of the cluster. Made once per client and options, not per
    request: ``options()`` builds a whole client object (about 1.5 ms, measured in bench/query)."""
    key = (max(settings.es_timeout, settings.es_wait), failover_retries(settings))
    made = _OPTIONED.setdefault(es, {})
    if key not in made:
        made[key] = es.options(request_timeout=key[0], max_retries=key[1])
    return made[key]


def search_timeout(settings: Settings) -> str:
    """Elasticsearch's own time limit for a search: it then returns what it has, flagged."""
    budget = max(0.5, min(settings.es_timeout, 30.0) * 0.8)
    return f"{int(budget * 1000)}ms"


def _unavailable(exc: BaseException | None, seconds: float) -> ElasticsearchUnavailable:
    if isinstance(exc, ESConnectionError) and not isinstance(exc, ESConnectionTimeout):
        return cannot_connect(exc)
    return no_answer(seconds)


async def _probe(es: AsyncElasticsearch, seconds: float, retries: int) -> bool:
    try:
        await asyncio.wait_for(
            es.options(request_timeout=seconds, max_retries=retries).cluster.health(),
            timeout=seconds,
        )
        return True
    except Exception:
        return False


async def guarded(es: AsyncElasticsearch, settings: Settings, awaitable: Awaitable[T]) -> T:
    """Await an Elasticsearch call; ElasticsearchUnavailable (503) when the cluster is out of
    reach, whatever the call's own timeout."""
    wait = max(0.2, settings.es_wait)
    task: asyncio.Future[T] = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=wait / 2)
        if not done:
            probe = asyncio.ensure_future(_probe(es, wait / 2, failover_retries(settings)))
            done, _ = await asyncio.wait({task, probe}, timeout=wait / 2, return_when=asyncio.FIRST_COMPLETED)
            if task not in done:
                reachable = probe.done() and probe.result()
                if not reachable:
                    if not probe.done():
                        probe.cancel()
                    task.cancel()
                    raise _unavailable(None, wait)
                # reachable but slow: allow the call its full time
                limit = max(settings.es_timeout, wait)
                done, _ = await asyncio.wait({task}, timeout=limit)
                if not done:
                    task.cancel()
                    raise _unavailable(None, limit)
            elif not probe.done():
                probe.cancel()
        return task.result()
    except (ESConnectionTimeout, ESConnectionError) as exc:
        raise _unavailable(exc, wait) from exc
    except asyncio.CancelledError:
        task.cancel()
        raise


def shards_partial(resp: Any) -> bool:
    shards = resp.get("_shards") or {}
    return bool(shards.get("failed")) or int(shards.get("successful", 0)) < int(shards.get("total", 0))


def missing_index(exc: BaseException) -> bool:
    """Whether an Elasticsearch 404 says the index is missing (an outage), not a document: by
    the error's type, never by its text, which holds the id asked for (``index_not_found`` is a
    valid post id)."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"
