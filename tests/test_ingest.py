"""Ingest end to end into a real Elasticsearch: seeds, the sample archive, idempotency, reindex."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index.store import current_index, ensure_index, versions
from indexer.ingest import Ingest, Summary
from indexer.reindex import reindex
from indexer.rejects import RejectsFile
from indexer.status import index_status
from tests.helpers import SAMPLES, SEED_FULL, SEED_SHORT, expected_samples, phrase_hits


def run_ingest(es: Elasticsearch, alias: str, paths: list[Path], tmp: Path, **kw: object) -> Summary:
    ensure_index(es, alias)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        return Ingest(es, alias, rejects, workers=1, **kw).run(paths)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seeded(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    summary = run_ingest(es, index_name, [SEED_FULL, SEED_SHORT], tmp_path_factory.mktemp("seeds"))
    assert (summary.read, summary.indexed, summary.rejected) == (2, 2, 0)
    return index_name


def test_seed_page_is_stored_with_every_field(es: Elasticsearch, seeded: str) -> None:
    doc = es.get(index=seeded, id="4290f064b0d01753")["_source"]
    assert doc["published"] == "2026-06-02T00:00:00+09:00"
    assert doc["source"] == "The Zvi"
    assert doc["reading_minutes"] == 22
    assert doc["lang"] == "both"
    assert len(doc["tags"]) == 5
    assert "model-welfare" in doc["tag_keys"]
    assert len(doc["key_points"]) == 7
    assert doc["importance"] == 4
    assert sum(s["weight"] for s in doc["scores"]["sub_scores"]) == 100
    assert [r["source"] for r in doc["related"]] == ["The Zvi", "TLDR AI", "The Zvi"]
    assert doc["related"][0]["published"].startswith("2026-06-17T00:55")
    assert doc["texts"]["en"]["body"].startswith("Everything impacts everything.")
    assert not doc.get("search")  # token streams are indexed, not stored
    assert "claude-opus-4.8" in doc["entity_ids"]
    assert "anthropic" in doc["entity_tree"]
    assert doc["content_hash"] and doc["analysis_version"] >= 1


def test_seed_short_page_has_no_date_but_is_indexed(es: Elasticsearch, seeded: str) -> None:
    doc = es.get(index=seeded, id="cfd12810acb2d063")["_source"]
    assert doc["published"] is None
    assert doc["key_points"]
    assert "mythos" in doc["entity_ids"]


def test_seeds_are_found_by_a_japanese_and_an_english_term(es: Elasticsearch, seeded: str) -> None:
    assert phrase_hits(es, seeded, "モデルの福祉", "ja") == {"4290f064b0d01753", "cfd12810acb2d063"}
    assert "4290f064b0d01753" in phrase_hits(es, seeded, "model welfare", "en")
    # version strings stay whole in Japanese text: 4.8 is one token, so this is a phrase hit
    assert "4290f064b0d01753" in phrase_hits(es, seeded, "Opus 4.8", "ja")
    # katakana that MeCab splits is still found through bigrams
    bigram = es.search(
        index=seeded,
        query={"match_phrase": {"search.text_bigram": "ミソ ソス"}},
        source=False,
    )
    assert bigram["hits"]["total"]["value"] >= 1


def test_sample_archive_ingests_and_reingest_writes_nothing(
    es: Elasticsearch, index_name: str, tmp_path: Path
) -> None:
    alias = index_name + "-samples"
    expected = expected_samples()
    first = run_ingest(es, alias, [SAMPLES], tmp_path)
    assert first.rejected == 0, first.reject_reasons
    assert first.read == expected["total_posts"]
    assert first.indexed == expected["total_posts"]
    assert es.count(index=alias)["count"] == expected["total_posts"]

    second = run_ingest(es, alias, [SAMPLES], tmp_path)
    assert (second.read, second.indexed, second.unchanged) == (
        expected["total_posts"],
        0,
        expected["total_posts"],
    )

    # one changed post is rewritten, the rest stay untouched
    copy = tmp_path / "samples"
    shutil.copytree(SAMPLES, copy)
    jsonl = copy / "jsonl" / "posts.jsonl"
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"title": "', '"title": "UPDATED ', 1)
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = run_ingest(es, alias, [copy], tmp_path)
    assert (third.indexed, third.unchanged) == (1, expected["total_posts"] - 1)
    assert es.count(index=alias)["count"] == expected["total_posts"]


def test_tag_spellings_normalize_to_one_key(es: Elasticsearch, index_name: str, tmp_path: Path) -> None:
    alias = index_name + "-tags"
    run_ingest(es, alias, [SAMPLES], tmp_path)
    resp = es.search(
        index=alias,
        size=0,
        query={"term": {"tag_keys": "model-welfare"}},
        aggs={"displays": {"terms": {"field": "tags.display", "size": 100}}},
    )
    displays = {b["key"] for b in resp["aggregations"]["displays"]["buckets"]}
    spellings = {s.lstrip("#") for s in expected_samples()["tags_normalizing_to_model_welfare"]}
    assert spellings <= displays


def test_reindex_swaps_alias_while_searches_keep_answering(
    es: Elasticsearch, settings: Settings, index_name: str, tmp_path: Path
) -> None:
    alias = index_name + "-re"
    run_ingest(es, alias, [SAMPLES], tmp_path)
    before = current_index(es, alias)
    total = es.count(index=alias)["count"]

    failures: list[Exception] = []
    answered: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                answered.append(
                    es.search(index=alias, size=0, track_total_hits=True)["hits"]["total"]["value"]
                )
            except Exception as exc:  # any failure during the swap is the bug we look for
                failures.append(exc)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        with RejectsFile(None, echo=None) as rejects:
            report = reindex(es, settings, alias, rejects, workers=1)
    finally:
        stop.set()
        searcher.join()
    assert not failures
    assert answered and all(n == total for n in answered)
    assert report.old == before and report.new != before
    assert current_index(es, alias) == report.new
    assert es.count(index=alias)["count"] == total
    assert report.summary.indexed == total
    assert before in [name for _, name in versions(es, alias)]  # kept until --drop-old

    with RejectsFile(None, echo=None) as rejects:
        again = reindex(es, settings, alias, rejects, workers=1, drop_old=True)
    assert set(again.dropped) == {before, report.new}
    assert [name for _, name in versions(es, alias)] == [again.new]
    assert es.count(index=alias)["count"] == total


def test_status_reports_counts(es: Elasticsearch, index_name: str, tmp_path: Path) -> None:
    alias = index_name + "-st"
    run_ingest(es, alias, [SAMPLES], tmp_path)
    status = index_status(es, alias)
    expected = expected_samples()
    assert status["posts"] == expected["total_posts"]
    assert status["index"] == f"{alias}-v1"
    assert sum(status["by_lang"].values()) == expected["total_posts"]
    assert status["by_lang"]["both"] == expected["posts_per_language_detail"]["both_pages"]
    assert status["last_ingest"]
