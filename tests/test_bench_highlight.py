"""The entity-highlighting bench on a real node: a long English digest that names Waymo far from
its start and a short post about it, found by a query typed in katakana, so their marks come from
the recognizer. Both ways (the places that hold a name, whole texts) must return the same posts
and mark the same hits."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from elasticsearch import Elasticsearch

from bench.query import highlight as bench_highlight
from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile


def _posts(dest: Path) -> Path:
    filler = "Fleet operators shared charging schedules for electric vans. " * 800  # ~50k characters
    posts = [
        {"id": "own-digest", "lang": "en", "title": "Weekly notes on fleets", "published": "2026-01-05",
         "source": "Notes", "body": filler[:30_000] + " Waymo added rides at night. " + filler[30_000:]},
        {"id": "own-short", "lang": "en", "title": "Waymo opens rides in one more city",
         "published": "2026-01-06", "source": "Notes", "body": "Waymo said its rides now run there too."},
    ]
    path = dest / "own.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    return path


def test_both_ways_find_and_mark_the_same_posts(
    tmp_path: Path, es: Elasticsearch, settings: Settings, index_name: str
) -> None:
    ensure_index(es, index_name)
    with RejectsFile(tmp_path / "rejects.jsonl", echo=None) as rejects:
        assert Ingest(es, index_name, rejects).run([_posts(tmp_path)]).indexed == 2
    es.indices.refresh(index=index_name)
    result = asyncio.run(
        bench_highlight.measure(settings.model_copy(update={"index": index_name}), 2, ["ウェイモ"])
    )
    assert result["hits_marked_by_one_way_only"] == []
    assert {w: s["n"] for w, s in result["ways"].items()} == {"places": 2, "whole": 2}
    assert result["hits_marked"] == {"ウェイモ": 2}  # the digest too, past the first 4,000 characters
    hl = bench_highlight.highlight
    assert (hl.ENTITY_WINDOWS, hl.ENTITY_HEAD_CHARS) == (12, 4_000)  # the defaults again after it
    assert "| ウェイモ |" in bench_highlight.markdown(result)
