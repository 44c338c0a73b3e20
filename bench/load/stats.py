"""Latency statistics. Pure functions, so they get unit tests."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) with linear interpolation between closest ranks
    (numpy's default); NaN for no values."""
    if not values:
        return float("nan")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    data = sorted(values)
    pos = (len(data) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def summary_ms(seconds: Iterable[float]) -> dict[str, float | None]:
    """Count and p50/p95/p99/max in milliseconds; None for each figure when there are no values
    (so the JSON stays strict)."""
    vals = [s * 1000 for s in seconds]
    if not vals:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "n": len(vals),
        "p50_ms": round(percentile(vals, 50), 2),
        "p95_ms": round(percentile(vals, 95), 2),
        "p99_ms": round(percentile(vals, 99), 2),
        "max_ms": round(max(vals), 2),
    }


@dataclass
class Sample:
    """One request: when it started (seconds since the run began), how long it took, what it
    was and how it ended (an HTTP status, or an error name when there was no response)."""

    start: float
    seconds: float
    kind: str
    status: int | None
    error: str | None = None
    items: int = 0  # posts received (export), for throughput

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.error is None

    @property
    def outcome(self) -> str:
        return self.error or str(self.status)


def report(samples: Sequence[Sample], wall_seconds: float) -> dict[str, Any]:
    """Throughput, latency percentiles (of successful requests), and errors by outcome,
    overall and per kind."""
    ok = [s for s in samples if s.ok]
    errors: dict[str, int] = {}
    for s in samples:
        if not s.ok:
            errors[s.outcome] = errors.get(s.outcome, 0) + 1
    kinds: dict[str, Any] = {}
    for kind in sorted({s.kind for s in samples}):
        mine = [s for s in samples if s.kind == kind]
        good = [s for s in mine if s.ok]
        kinds[kind] = {
            "requests": len(mine),
            "errors": len(mine) - len(good),
            **summary_ms(s.seconds for s in good),
        }
    return {
        "requests": len(samples),
        "ok": len(ok),
        "errors": len(samples) - len(ok),
        "errors_by_outcome": errors,
        "wall_s": round(wall_seconds, 2),
        "throughput_rps": round(len(ok) / wall_seconds, 2) if wall_seconds > 0 else float("nan"),
        **summary_ms(s.seconds for s in ok),
        "by_kind": kinds,
    }
