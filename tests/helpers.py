"""Paths and small utilities shared by the tests."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from elasticsearch import Elasticsearch

from indexer.analysis.text import query_terms
from indexer.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpus"
SAMPLES = REPO / "samples"
SEED_FULL = SEEDS / "000_4290f064b0d01753.txt"
SEED_SHORT = SEEDS / "002_cfd12810acb2d063.txt"


def expected_samples() -> dict:
    return json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))


def corpus_slice(name: str, n: int, dest: Path, start: int = 0) -> Path:
    """The first ``n`` records (after ``start``) of a shared corpus file, as a JSON Lines file."""
    src = CORPUS / f"{name}.jsonl.gz"
    out = dest / f"{name}-{start}-{n}.jsonl"
    with gzip.open(src, "rt", encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in itertools.islice(f, start, start + n):
            w.write(line)
    return out


def phrase_hits(es: Elasticsearch, index: str, text: str, lang: str, field: str = "text") -> set[str]:
    """Ids of posts whose token stream in ``search.<field>`` (shared by both languages) holds
    ``text``, analyzed as ``lang``, as a phrase."""
    tokens = query_terms(text, lang).tokens
    resp = es.search(
        index=index,
        query={"match_phrase": {f"search.{field}": tokens}},
        size=100,
        source=False,
    )
    return {h["_id"] for h in resp["hits"]["hits"]}


def count(es: Elasticsearch, index: str, **query: object) -> int:
    body = {"query": query} if query else {}
    return int(es.count(index=index, **body)["count"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(settings: Settings, start_timeout: float = 60) -> Iterator[str]:
    """The API for ``settings`` on a free loopback port, in a thread; yields its base URL."""
    from api.app import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the API server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
