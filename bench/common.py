"""Shared bench plumbing: where the corpus is, an Elasticsearch to talk to, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from elasticsearch import Elasticsearch

from indexer.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
RESULTS = REPO / "bench" / "results"


@contextmanager
def elasticsearch(
    settings: Settings, es_url: str | None = None
) -> Iterator[tuple[Settings, Elasticsearch]]:
    """``es_url`` (URLs, comma-separated) when given, else the configured cluster, else a local
    node started for the bench and stopped after it."""
    node = None
    if es_url:
        settings = settings.model_copy(update={"es_url": es_url})
    elif not os.environ.get("AIPOSTS_ES_URL"):
        from localnode import LocalNode

        node = LocalNode(settings)
        started = node.start()
        settings = settings.model_copy(update={"es_url": started.url})
        if started.reused:
            node = None
    es = Elasticsearch(**{**settings.es_client_kwargs(), "request_timeout": 120})  # type: ignore[arg-type]
    try:
        yield settings, es
    finally:
        es.close()
        if node is not None:
            node.stop()


def machine() -> dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_result(name: str, result: dict[str, object], table: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(table + "\n", encoding="utf-8")
    return path
