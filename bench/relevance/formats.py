"""The judged-set formats.

* topics: a JSON list of ``{"id", "query", "lang", "kind"}`` (other keys are kept and ignored);
* judgments (qrels): TSV lines ``qid<TAB>post_id<TAB>grade`` with grade 0, 1 or 2, post ids
  as the shared corpus records give them. Blank lines and lines starting with ``#`` are
  skipped; the four-column TREC form ``qid<TAB>0<TAB>post_id<TAB>grade`` is read too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class FormatError(ValueError):
    """A topics or judgments file that does not follow the format (says where)."""


@dataclass(frozen=True)
class Topic:
    id: str
    query: str
    lang: str
    kind: str
    extra: dict[str, object] = field(default_factory=dict, compare=False)


def parse_topics(text: str, name: str = "topics") -> list[Topic]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{name}: not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise FormatError(f"{name}: expected a JSON list of topics")
    topics: list[Topic] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise FormatError(f"{name}[{i}]: expected an object")
        missing = [k for k in ("id", "query", "lang", "kind") if not str(item.get(k, "")).strip()]
        if missing:
            raise FormatError(f"{name}[{i}]: missing {', '.join(missing)}")
        tid = str(item["id"]).strip()
        if tid in seen:
            raise FormatError(f"{name}[{i}]: duplicate id {tid!r}")
        seen.add(tid)
        extra = {k: v for k, v in item.items() if k not in ("id", "query", "lang", "kind")}
        topics.append(Topic(tid, str(item["query"]), str(item["lang"]), str(item["kind"]), extra))
    return topics


def parse_qrels(text: str, name: str = "qrels") -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) == 4:
            cols = [cols[0], cols[2], cols[3]]
        if len(cols) != 3:
            raise FormatError(f"{name}:{lineno}: expected qid<TAB>post_id<TAB>grade")
        qid, pid, raw = (c.strip() for c in cols)
        try:
            grade = int(raw)
        except ValueError:
            raise FormatError(f"{name}:{lineno}: grade {raw!r} is not an integer") from None
        if not qid or not pid:
            raise FormatError(f"{name}:{lineno}: empty qid or post id")
        qrels.setdefault(qid, {})[pid] = grade
    return qrels


def load_topics(path: Path) -> list[Topic]:
    return parse_topics(path.read_text(encoding="utf-8"), str(path))


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    return parse_qrels(path.read_text(encoding="utf-8"), str(path))


def format_qrels(qrels: dict[str, dict[str, int]]) -> str:
    lines = [f"{q}\t{p}\t{g}" for q, docs in qrels.items() for p, g in docs.items()]
    return "\n".join(lines) + ("\n" if lines else "")
