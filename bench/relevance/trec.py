"""TREC run files: ``qid Q0 docid rank score tag``, one line per retrieved post.

Written by ``python -m bench.relevance --runs DIR`` (one file per system), so any other judged
set or evaluator (trec_eval, ir_measures) can score the same runs; read back by
``--extra-run NAME=FILE`` to put a run made elsewhere (another commit, another engine) beside
this run's systems. The API gives ranks, not comparable scores, so ``score`` is
``depth - rank + 1`` (descending with the rank, as evaluators expect).
"""

from __future__ import annotations

import re
from pathlib import Path

_SAFE = re.compile(r"[^A-Za-z0-9_.=-]+")


def file_name(system: str) -> str:
    return _SAFE.sub("_", system) + ".run"


def format_run(system: str, run: dict[str, list[str]]) -> str:
    tag = _SAFE.sub("_", system)
    lines: list[str] = []
    for qid, ids in run.items():
        depth = len(ids)
        lines.extend(f"{qid} Q0 {pid} {rank} {depth - rank + 1} {tag}" for rank, pid in enumerate(ids, 1))
    return "".join(line + "\n" for line in lines)


def write_runs(directory: Path, runs: dict[str, dict[str, list[str]]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for system, run in runs.items():
        path = directory / file_name(system)
        path.write_text(format_run(system, run), encoding="utf-8")
        out.append(path)
    return out


def parse_run(text: str, name: str = "run") -> dict[str, list[str]]:
    """qid -> post ids in rank order (lines sorted by rank, then by score when ranks tie)."""
    rows: dict[str, list[tuple[int, float, str]]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 6:
            raise ValueError(f"{name}:{n}: expected 'qid Q0 docid rank score tag', got {line!r}")
        qid, _, pid, rank, score, _ = parts
        try:
            rows.setdefault(qid, []).append((int(rank), -float(score), pid))
        except ValueError as exc:
            raise ValueError(f"{name}:{n}: rank and score must be numbers: {line!r}") from exc
    return {q: [pid for _, _, pid in sorted(r)] for q, r in rows.items()}


def read_run(path: Path) -> dict[str, list[str]]:
    return parse_run(path.read_text(encoding="utf-8"), str(path))
