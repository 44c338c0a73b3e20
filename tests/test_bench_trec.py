"""TREC run files, judged-only scoring and the per-half tables of the relevance bench."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.relevance.formats import parse_topics
from bench.relevance.run import compact_table, evaluate, judged_only
from bench.relevance.trec import format_run, parse_run, read_run, write_runs


def test_run_files_round_trip(tmp_path: Path) -> None:
    runs = {"aiposts match=all": {"q1": ["a", "b", "c"], "q2": ["d"]}, "standard": {"q1": ["c", "a"]}}
    paths = write_runs(tmp_path, runs)
    assert [p.name for p in paths] == ["aiposts_match=all.run", "standard.run"]
    first = paths[0].read_text().splitlines()[0].split()
    assert first == ["q1", "Q0", "a", "1", "3", "aiposts_match=all"]
    assert read_run(paths[0]) == runs["aiposts match=all"]
    # ranks decide the order, whatever the line order in the file
    assert parse_run("q 0 b 2 1 x\nq 0 a 1 2 x\n") == {"q": ["a", "b"]}
    with pytest.raises(ValueError, match="rank and score"):
        parse_run("q Q0 a first 1 x")
    assert format_run("s", {}) == ""


def test_judged_only_removes_unjudged_posts_and_lifts_the_score() -> None:
    topics = parse_topics(
        '[{"id": "q1", "query": "x", "lang": "en", "kind": "en", "half": "tune"},'
        ' {"id": "q2", "query": "y", "lang": "ja", "kind": "ja", "half": "test"}]'
    )
    qrels = {"q1": {"a": 2, "b": 0}, "q2": {"c": 1}}
    assert judged_only(["x", "a", "y", "b"], qrels["q1"]) == ["a", "b"]
    result = evaluate({"sys": {"q1": ["x", "a"], "q2": []}}, topics, qrels)
    data = result["systems"]["sys"]
    assert data["overall"]["ndcg@10"] < data["judged_only"]["overall"]["ndcg@10"]
    assert data["judged_only"]["by_half"]["tune"]["overall"]["ndcg@10"] == pytest.approx(1.0)
    assert data["empty"] == ["q2"]
    table = compact_table(result)
    assert "| tune: en | 1 |" in table and "| topics with no results | | 1 |" in table
