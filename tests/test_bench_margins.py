"""The relevance report's margins: the default against its best baseline per half and kind,
with a paired bootstrap interval (synthetic results, no index)."""

from __future__ import annotations

import pytest

from bench.relevance.margins import bootstrap_interval, margin_table, margins


def test_the_interval_is_reproducible_and_holds_the_mean() -> None:
    diffs = [0.3, -0.1, 0.2, 0.0, 0.25, -0.05, 0.1, 0.15]
    low, high = bootstrap_interval(diffs)
    assert (low, high) == bootstrap_interval(diffs)
    assert low < sum(diffs) / len(diffs) < high
    assert bootstrap_interval([0.2] * 5) == pytest.approx((0.2, 0.2))
    wide = bootstrap_interval(diffs[:3])
    assert wide[1] - wide[0] > 0
    with pytest.raises(ValueError, match="no paired"):
        bootstrap_interval([])


def _system(scores: dict[str, float], judged_only: dict[str, float] | None = None) -> dict[str, object]:
    return {
        "per_topic": {q: {"ndcg@10": v} for q, v in scores.items()},
        "per_topic_judged_only": {q: {"ndcg@10": v} for q, v in (judged_only or scores).items()},
    }


def test_each_group_is_measured_against_its_own_best_baseline() -> None:
    result = {
        "topic_kinds": {"a1": "ja", "a2": "ja", "b1": "en", "b2": "en", "c1": "ja"},
        "topic_halves": {"a1": "test", "a2": "test", "b1": "test", "b2": "test", "c1": "tune"},
        "systems": {
            "aiposts": _system({"a1": 0.9, "a2": 0.7, "b1": 0.6, "b2": 0.8, "c1": 0.5},
                               {"a1": 0.9, "a2": 0.8, "b1": 0.6, "b2": 0.8, "c1": 0.5}),
            "standard": _system({"a1": 0.8, "a2": 0.8, "b1": 0.1, "b2": 0.1, "c1": 0.4}),
            "bigram": _system({"a1": 0.5, "a2": 0.5, "b1": 0.7, "b2": 0.6, "c1": 0.6}),
        },
    }
    rows = {(m.half, m.kind): m for m in margins(result, "aiposts", ["standard", "bigram", "absent"])}
    assert set(rows) == {("test", "all"), ("test", "en"), ("test", "ja"), ("tune", "all"), ("tune", "ja")}
    ja = rows[("test", "ja")]
    assert (ja.baseline, ja.topics, ja.won, ja.lost) == ("standard", 2, 1, 1)
    assert ja.margin == pytest.approx(0.0) and ja.margin_judged_only == pytest.approx(0.05)
    en = rows[("test", "en")]
    assert en.baseline == "bigram" and en.margin == pytest.approx(0.05) and en.low <= en.margin <= en.high
    assert rows[("tune", "ja")].baseline == "bigram" and rows[("tune", "ja")].margin == pytest.approx(-0.1)
    table = margin_table(list(rows.values()))
    assert "| test | ja | 2 | standard | +0.000 / +0.050 |" in table
    assert margins(result, "missing", ["standard"]) == []
