"""The typed judged set (``bench/topics/typed/``) is whole: what the relevance figures rest on.

Checked here because a topic added without its judgments, or a pooled post left ungraded,
would not fail anything else: it would only lower a system's score, silently.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.relevance.formats import Topic, load_qrels, load_topics
from bench.relevance.metrics import has_relevant
from bench.relevance.pool import pooled

Qrels = dict[str, dict[str, int]]

TYPED = Path(__file__).resolve().parents[1] / "bench" / "topics" / "typed"
# the minimum per kind: natural Japanese, English of 3-8 words, versions, other language, fields
MINIMUM = {"ja": 40, "en": 30, "version": 20, "cross": 20, "field": 10}


@pytest.fixture(scope="module")
def topics() -> list[Topic]:
    return load_topics(TYPED / "topics.json")


@pytest.fixture(scope="module")
def qrels() -> Qrels:
    return load_qrels(TYPED / "qrels.tsv")


def test_topics_meet_the_minimum_of_each_kind_and_carry_their_rules(topics: list[Topic]) -> None:
    assert len(topics) >= 120
    assert len({t.id for t in topics}) == len(topics)
    kinds = Counter(t.kind for t in topics)
    assert all(kinds[k] >= n for k, n in MINIMUM.items()), kinds
    for t in topics:
        assert t.extra.get("half") in ("tune", "test"), t.id
        assert "grade 2" in str(t.extra.get("narrative", "")).lower(), t.id


def test_both_halves_hold_every_kind(topics: list[Topic]) -> None:
    halves = Counter((t.kind, t.extra["half"]) for t in topics)
    for kind in MINIMUM:
        assert halves[(kind, "tune")] > 0 and halves[(kind, "test")] > 0, kind


def test_every_pooled_post_is_graded_and_belongs_to_a_topic(topics: list[Topic], qrels: Qrels) -> None:
    ids = {t.id for t in topics}
    assert set(qrels) <= ids
    assert all(g in (0, 1, 2) for docs in qrels.values() for g in docs.values())
    ungraded = pooled(TYPED / "pool.tsv", sorted(ids), qrels, unjudged=True)
    assert not ungraded, {q: rows[:3] for q, rows in ungraded.items()}
    assert set(pooled(TYPED / "pool.tsv", sorted(ids), {}, unjudged=False)) == ids  # every topic was pooled


def test_every_topic_has_a_relevant_post(topics: list[Topic], qrels: Qrels) -> None:
    # a topic without one is left out of the means; say which, so that it is a choice
    without = sorted(t.id for t in topics if not has_relevant(qrels.get(t.id, {})))
    assert without == []  # ver-17 had none until an Azure post adding Llama 2 was pooled
