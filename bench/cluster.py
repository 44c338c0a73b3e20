"""The Elasticsearch the relevance, query, load and scale benches talk to.

Same rule as ``bench.common.elasticsearch`` (``AIPOSTS_ES_URL`` when set, else the local node
on ``AIPOSTS_ES_PORT``, started for the bench and stopped after it when the bench started
it), with a long per-request timeout for bulk loads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from elasticsearch import Elasticsearch

from indexer.config import Settings

BULK_TIMEOUT = 300.0


@contextmanager
def elasticsearch(settings: Settings) -> Iterator[tuple[Settings, Elasticsearch]]:
    node = None
    if not os.environ.get("AIPOSTS_ES_URL"):
        from indexer.localnode import LocalNode

        node = LocalNode(settings)
        started = node.start()
        settings = settings.model_copy(update={"es_url": started.url})
        if started.reused:
            node = None
    kwargs = {**settings.es_client_kwargs(), "request_timeout": BULK_TIMEOUT}
    es = Elasticsearch(**kwargs)  # type: ignore[arg-type]
    try:
        yield settings, es
    finally:
        es.close()
        if node is not None:
            node.stop()
