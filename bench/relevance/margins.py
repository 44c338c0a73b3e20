"""How sure a margin is: the default against its best baseline, per half and kind, with a
paired bootstrap interval over the topics.

With a dozen or two topics a kind, a mean nDCG@10 difference of 0.05 may be noise; the
interval says how much. Pairs are per topic (the same topic scored by both systems), resampled
with replacement ``resamples`` times from a fixed seed, so a report is reproducible. The
"best baseline" of a group is the baseline with the highest mean in that group.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

RESAMPLES = 10_000
SEED = 7


@dataclass(frozen=True)
class Margin:
    half: str
    kind: str
    topics: int
    baseline: str
    margin: float  # mean of (system - baseline), all judgments
    margin_judged_only: float  # the same with unjudged posts removed from both runs
    low: float  # 2.5 % and 97.5 % of the bootstrap means (all judgments)
    high: float
    won: int
    lost: int


def bootstrap_interval(
    diffs: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED, level: float = 0.95
) -> tuple[float, float]:
    """The central ``level`` interval of the mean of ``diffs`` resampled with replacement."""
    if not diffs:
        raise ValueError("no paired differences to resample")
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(rng.choice(diffs) for _ in range(n)) / n for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return means[cut], means[resamples - 1 - cut]


def margins(
    result: dict[str, Any], system: str, baselines: Sequence[str], metric: str = "ndcg@10",
    resamples: int = RESAMPLES,
) -> list[Margin]:
    """One ``Margin`` per (half, kind) of ``result`` (from ``run.evaluate``), "all" kinds too."""
    systems = result["systems"]
    present = [b for b in baselines if b in systems]
    if system not in systems or not present:
        return []
    kinds = result.get("topic_kinds", {})
    halves = result.get("topic_halves", {})
    out: list[Margin] = []
    for half in sorted(set(halves.values())):
        for kind in ["all", *sorted(set(kinds.values()))]:
            ids = [q for q, k in kinds.items() if halves.get(q) == half and kind in ("all", k)]
            if not ids:
                continue

            def mean(name: str, key: str = "per_topic", ids: list[str] = ids) -> float:
                return sum(systems[name][key][q][metric] for q in ids) / len(ids)

            best = max(present, key=mean)
            ours, theirs = systems[system]["per_topic"], systems[best]["per_topic"]
            diffs = [ours[q][metric] - theirs[q][metric] for q in ids]
            low, high = bootstrap_interval(diffs, resamples)
            judged = mean(system, "per_topic_judged_only") - mean(best, "per_topic_judged_only")
            out.append(Margin(
                half=half, kind=kind, topics=len(ids), baseline=best,
                margin=sum(diffs) / len(diffs), margin_judged_only=judged, low=low, high=high,
                won=sum(1 for d in diffs if d > 0), lost=sum(1 for d in diffs if d < 0),
            ))
    return out


def margin_table(rows: list[Margin], metric: str = "ndcg@10") -> str:
    lines = [
        f"| half | kind | topics | best baseline | {metric} margin, all / judged-only | 95 % interval "
        "| won / lost |",
        "|---|---|---:|---|---:|---|---:|",
    ]
    for m in rows:
        lines.append(
            f"| {m.half} | {m.kind} | {m.topics} | {m.baseline} "
            f"| {_signed(m.margin)} / {_signed(m.margin_judged_only)} "
            f"| [{_signed(m.low)}, {_signed(m.high)}] | {m.won} / {m.lost} |"
        )
    return "\n".join(lines)


def _signed(x: float) -> str:
    return f"{round(x, 3) + 0.0:+.3f}"  # + 0.0: a rounded -0.0 prints as +0.000
