"""A small real run of the relevance harness: a few hundred shared-corpus posts indexed by
the project and by both baselines, topics through the API in-process, scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from bench.common import CORPUS
from bench.relevance.baselines import is_built
from bench.relevance.formats import load_qrels, load_topics
from bench.relevance.metrics import METRICS
from bench.relevance.run import corpus_posts, run_all
from indexer.config import Settings

FILES = [CORPUS / "en_lastweekinai_items.jsonl.gz", CORPUS / "ja_ainewscollector_items.jsonl.gz"]
PER_FILE = 150

pytestmark = pytest.mark.skipif(not all(p.exists() for p in FILES), reason="shared corpus not present")


def _judge(word: str, posts: list) -> dict[str, int]:
    """Judgments made from the text itself: 2 when the title has the word, 1 when only the
    rest does, 0 for a few others."""
    out: dict[str, int] = {}
    for p in posts:
        title = " ".join(t.title for t in p.texts.values()).lower()
        rest = " ".join(t.summary + " " + t.body for t in p.texts.values()).lower()
        if word.lower() in title:
            out[p.id] = 2
        elif word.lower() in rest:
            out[p.id] = 1
        elif len(out) < 40:
            out[p.id] = 0
    return out


def test_relevance_end_to_end(tmp_path: Path, es: Elasticsearch, settings: Settings, index_name: str) -> None:
    posts = list(corpus_posts(FILES, PER_FILE))
    topics_file = tmp_path / "topics.json"
    topics_file.write_text(
        json.dumps(
            [
                {"id": "s-en", "query": "robot", "lang": "en", "kind": "en"},
                {"id": "s-ja", "query": "生成AI", "lang": "ja", "kind": "ja"},
                {"id": "s-none", "query": "zzzunmatched", "lang": "en", "kind": "en"},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    qrels = {"s-en": _judge("robot", posts), "s-ja": _judge("生成AI", posts)}
    qrels_file = tmp_path / "qrels.tsv"
    qrels_file.write_text("".join(f"{q}\t{p}\t{g}\n" for q, d in qrels.items() for p, g in d.items()))

    names = {"standard": f"{index_name}-standard", "bigram": f"{index_name}-bigram"}
    result = run_all(
        settings,
        es,
        load_topics(topics_file),
        load_qrels(qrels_file),
        FILES,
        alias=f"{index_name}-corpus",
        limit=PER_FILE,
        depth=50,
        baseline_names=names,
        log=lambda m: None,
    )

    assert result["corpus"]["indexed_now"] and result["corpus"]["posts"] == len(posts)
    assert all(result["baselines"][k]["posts"] == len(posts) for k in names)
    assert all(is_built(es, index, kind) for kind, index in names.items())
    assert result["topics_scored"] == 2 and result["topics_without_relevant"] == ["s-none"]
    for system in ("aiposts", "standard", "bigram"):
        data = result["systems"][system]
        assert set(data["by_kind"]) == {"en", "ja"}
        assert all(0.0 <= data["overall"][m] <= 1.0 for m in METRICS)
    # every system finds something for both judged topics
    assert not any(q in result["empty_runs"][s] for s in result["systems"] for q in ("s-en", "s-ja"))
    assert result["systems"]["aiposts"]["overall"]["mrr"] > 0.5

    # a second run reuses the indices
    again = run_all(
        settings,
        es,
        load_topics(topics_file),
        load_qrels(qrels_file),
        FILES,
        alias=f"{index_name}-corpus",
        limit=PER_FILE,
        depth=50,
        baseline_names=names,
        log=lambda m: None,
    )
    assert not again["corpus"]["indexed_now"]
    assert all(again["baselines"][k]["built_s"] is None for k in names)
    assert again["systems"]["aiposts"]["overall"] == result["systems"]["aiposts"]["overall"]
