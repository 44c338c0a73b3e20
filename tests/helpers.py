"""Paths and small utilities shared by the tests."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer.analysis.text import query_terms

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
    """Ids of posts whose token stream in ``search.<lang>.<field>`` holds ``text`` as a phrase."""
    tokens = query_terms(text, lang).tokens
    resp = es.search(
        index=index,
        query={"match_phrase": {f"search.{lang}.{field}": tokens}},
        size=100,
        source=False,
    )
    return {h["_id"] for h in resp["hits"]["hits"]}


def count(es: Elasticsearch, index: str, **query: object) -> int:
    body = {"query": query} if query else {}
    return int(es.count(index=index, **body)["count"])
