"""Ranking metrics over graded judgments. Pure functions: a ranked list of post ids and a
topic's judgments ``{post_id: grade}`` in, numbers out.

* grades are 0 (not relevant), 1 (relevant), 2 (highly relevant); a post without a judgment
  counts as not relevant (and is reported through ``judged_at_10``);
* nDCG@k uses the grade as the gain (as trec_eval does) and log2(rank + 1) as the discount;
  the ideal ranking is every judged post of the topic, best grades first;
* P@k, MRR and recall@k count a post as relevant when its grade is at least 1;
* P@k divides by k even when fewer than k posts came back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

Judgments = Mapping[str, int]

METRICS = ("ndcg@10", "p@10", "mrr", "recall@100")


def _relevant(grade: int | None) -> bool:
    return grade is not None and grade >= 1


def dcg(gains: Iterable[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], judged: Judgments, k: int = 10) -> float:
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg(max(judged.get(pid, 0), 0) for pid in _dedup(ranked)[:k]) / ideal


def precision_at(ranked: Sequence[str], judged: Judgments, k: int = 10) -> float:
    return sum(1 for pid in _dedup(ranked)[:k] if _relevant(judged.get(pid))) / k


def reciprocal_rank(ranked: Sequence[str], judged: Judgments) -> float:
    for i, pid in enumerate(_dedup(ranked)):
        if _relevant(judged.get(pid)):
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], judged: Judgments, k: int = 100) -> float:
    wanted = {pid for pid, g in judged.items() if g >= 1}
    if not wanted:
        return 0.0
    return len(wanted & set(_dedup(ranked)[:k])) / len(wanted)


def judged_at(ranked: Sequence[str], judged: Judgments, k: int = 10) -> float:
    """The share of the top k that has a judgment at all (how much the pool covers a run)."""
    top = _dedup(ranked)[:k]
    return sum(1 for pid in top if pid in judged) / len(top) if top else 1.0


def _dedup(ranked: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ranked))


def score_topic(ranked: Sequence[str], judged: Judgments) -> dict[str, float]:
    return {
        "ndcg@10": ndcg_at(ranked, judged, 10),
        "p@10": precision_at(ranked, judged, 10),
        "mrr": reciprocal_rank(ranked, judged),
        "recall@100": recall_at(ranked, judged, 100),
        "judged@10": judged_at(ranked, judged, 10),
    }


def has_relevant(judged: Judgments) -> bool:
    return any(g >= 1 for g in judged.values())


def mean_scores(per_topic: Iterable[Mapping[str, float]]) -> dict[str, float]:
    rows = list(per_topic)
    if not rows:
        return {}
    return {name: sum(r[name] for r in rows) / len(rows) for name in rows[0]}
