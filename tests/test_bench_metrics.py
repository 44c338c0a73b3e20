"""The judged-set formats and the ranking metrics of bench.relevance, on tiny inputs."""

from __future__ import annotations

import math

import pytest

from bench.load.stats import Sample, percentile, report, summary_ms
from bench.relevance.formats import FormatError, format_qrels, parse_qrels, parse_topics
from bench.relevance.metrics import (
    judged_at,
    mean_scores,
    ndcg_at,
    precision_at,
    recall_at,
    reciprocal_rank,
    score_topic,
)
from bench.relevance.pool import merge_pool
from bench.relevance.run import evaluate, table

JUDGED = {"a": 2, "b": 1, "c": 0, "d": 1}


def test_ndcg_perfect_and_worst() -> None:
    assert ndcg_at(["a", "b", "d"], JUDGED) == pytest.approx(1.0)
    assert ndcg_at(["c", "x", "y"], JUDGED) == 0.0
    assert ndcg_at(["a"], {"a": 0}) == 0.0  # nothing relevant: 0, not a division by zero


def test_ndcg_by_hand() -> None:
    # ranking b, a: dcg = 1/log2(2) + 2/log2(3); ideal a, b, d = 2 + 1/log2(3) + 1/log2(4)
    got = ndcg_at(["b", "a"], JUDGED)
    want = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3) + 1 / 2)
    assert got == pytest.approx(want)


def test_ndcg_cut_off_at_k() -> None:
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at(ranked, JUDGED, 10) == 0.0


def test_precision_divides_by_k() -> None:
    assert precision_at(["a", "b"], JUDGED, 10) == pytest.approx(0.2)
    assert precision_at(["a", "c", "b", "d"], JUDGED, 2) == pytest.approx(0.5)


def test_duplicates_count_once() -> None:
    assert precision_at(["a", "a", "a"], JUDGED, 3) == pytest.approx(1 / 3)


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["c", "x", "b"], JUDGED) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c", "x"], JUDGED) == 0.0


def test_recall() -> None:
    assert recall_at(["a", "x", "d"], JUDGED, 100) == pytest.approx(2 / 3)
    assert recall_at(["a", "x", "d"], JUDGED, 1) == pytest.approx(1 / 3)
    assert recall_at(["a"], {"a": 0}) == 0.0


def test_judged_share() -> None:
    assert judged_at(["a", "x"], JUDGED) == pytest.approx(0.5)
    assert judged_at([], JUDGED) == 1.0


def test_mean_scores() -> None:
    m = mean_scores([score_topic(["a"], JUDGED), score_topic(["x"], JUDGED)])
    assert m["mrr"] == pytest.approx(0.5)
    assert mean_scores([]) == {}


def test_parse_topics() -> None:
    topics = parse_topics('[{"id": "q1", "query": "Opus 4.8", "lang": "en", "kind": "entity", "about": "x"}]')
    assert topics[0].query == "Opus 4.8" and topics[0].kind == "entity"
    assert topics[0].extra == {"about": "x"}
    with pytest.raises(FormatError, match="missing kind"):
        parse_topics('[{"id": "q1", "query": "x", "lang": "en"}]')
    with pytest.raises(FormatError, match="duplicate"):
        parse_topics(
            '[{"id": "q", "query": "x", "lang": "en", "kind": "k"},'
            ' {"id": "q", "query": "y", "lang": "en", "kind": "k"}]'
        )
    with pytest.raises(FormatError, match="list"):
        parse_topics('{"id": "q"}')


def test_parse_qrels() -> None:
    text = "# comment\nq1\tpost-1\t2\n\nq1\tpost-2\t0\nq2\t0\tpost-3\t1\n"
    qrels = parse_qrels(text)
    assert qrels == {"q1": {"post-1": 2, "post-2": 0}, "q2": {"post-3": 1}}
    assert parse_qrels(format_qrels(qrels)) == qrels
    with pytest.raises(FormatError, match=":1:"):
        parse_qrels("q1 post-1 2\n")
    with pytest.raises(FormatError, match="not an integer"):
        parse_qrels("q1\tp\thigh\n")


def test_evaluate_by_kind_and_skips_unjudged_topics() -> None:
    topics = parse_topics(
        '[{"id": "q1", "query": "a", "lang": "en", "kind": "en"},'
        ' {"id": "q2", "query": "b", "lang": "ja", "kind": "ja"},'
        ' {"id": "q3", "query": "c", "lang": "ja", "kind": "ja"}]'
    )
    qrels = {"q1": {"a": 2}, "q2": {"b": 1, "c": 0}, "q3": {"z": 0}}
    runs = {"sys": {"q1": ["a"], "q2": ["c", "b"], "q3": ["z"]}, "other": {"q1": [], "q2": []}}
    result = evaluate(runs, topics, qrels)
    assert result["topics_scored"] == 2 and result["topics_without_relevant"] == ["q3"]
    assert result["systems"]["sys"]["by_kind"]["en"]["mrr"] == 1.0
    assert result["systems"]["sys"]["by_kind"]["ja"]["mrr"] == 0.5
    assert result["systems"]["other"]["overall"]["ndcg@10"] == 0.0
    assert "| ja | 1 | sys |" in table(result)


def test_merge_pool_keeps_systems() -> None:
    pool = merge_pool({"a": {"q": ["1", "2", "3"]}, "b": {"q": ["3", "4"]}}, depth=2)
    assert pool == {"q": {"1": ["a"], "2": ["a"], "3": ["b"], "4": ["b"]}}


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile([5], 99) == 5
    assert percentile([3, 1, 2], 0) == 1 and percentile([3, 1, 2], 100) == 3
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_report_counts_errors_and_kinds() -> None:
    samples = [
        Sample(0, 0.010, "search", 200),
        Sample(0, 0.020, "search", 503),
        Sample(0, 0.030, "export", None, "timeout"),
    ]
    r = report(samples, 2.0)
    assert r["requests"] == 3 and r["ok"] == 1 and r["errors"] == 2
    assert r["errors_by_outcome"] == {"503": 1, "timeout": 1}
    assert r["throughput_rps"] == 0.5 and r["p50_ms"] == 10.0
    assert r["by_kind"]["search"]["errors"] == 1
    assert summary_ms([]) == {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
