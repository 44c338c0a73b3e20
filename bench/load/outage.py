"""Elasticsearch stopped and restarted in the middle of a load test.

A dedicated local node (its own port, default 9290, so no other user of a node is disturbed)
holds a small slice of the corpus; the API runs against it in its own process, and a mixed
load runs throughout. Timeline: ``warmup`` seconds of normal load, then the node is stopped,
kept down ``down`` seconds, started again, and the load goes on until the API has answered
successfully again plus ``after`` seconds. Everything is bounded by ``max_seconds``.

Reported: the errors during the outage by outcome (503s expected), the slowest answer during
it (the API must answer, not hang: it waits ``AIPOSTS_ES_WAIT`` at most), and the seconds
from the node being healthy again (and from the restart command) to the API's first success.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from bench.load.runner import run_load
from bench.load.server import api_server
from bench.load.stats import Sample, report, summary_ms
from bench.load.workload import Workload
from bench.relevance.run import ensure_corpus
from indexer.config import Settings

ALIAS = "bench-outage"


def small_files(files: list[Path]) -> list[Path]:
    # the newsletter issues (about 140k characters each) would make the slice slow to index;
    # availability does not depend on them
    return [p for p in files if "ainews_issues" not in p.name]


def analyse(samples: list[Sample], marks: dict[str, float]) -> dict[str, Any]:
    """Split the samples at the marks (seconds since the run began) and measure the outage."""
    stop0, stop1 = marks["stop_begin"], marks["stop_end"]
    start0, start1 = marks["start_begin"], marks["start_end"]
    by_start = sorted(samples, key=lambda s: s.start)
    first_ok = next((s for s in by_start if s.ok and s.start >= stop1), None)
    recovered_at = first_ok.start + first_ok.seconds if first_ok else None
    before = [s for s in by_start if s.start + s.seconds <= stop0]
    during = [s for s in by_start if s.start >= stop0 and (recovered_at is None or s.start < recovered_at)]
    after = [s for s in by_start if recovered_at is not None and s.start >= recovered_at]
    errors: dict[str, int] = {}
    for s in during:
        if not s.ok:
            errors[s.outcome] = errors.get(s.outcome, 0) + 1
    return {
        "marks_s": {k: round(v, 2) for k, v in marks.items()},
        "before": report(before, stop0) if before else None,
        "during": {
            "requests": len(during),
            "errors": sum(errors.values()),
            "errors_by_outcome": errors,
            "ok": sum(1 for s in during if s.ok),
            "latency_all": summary_ms(s.seconds for s in during),
            "latency_errors": summary_ms(s.seconds for s in during if not s.ok),
        },
        "after": {
            "requests": len(after),
            "errors": sum(1 for s in after if not s.ok),
            **summary_ms(s.seconds for s in after if s.ok),
        },
        "es_stop_s": round(stop1 - stop0, 2),
        "es_start_s": round(start1 - start0, 2),
        "recovered_at_s": round(recovered_at, 2) if recovered_at is not None else None,
        "recovery_s_after_es_healthy": round(max(0.0, recovered_at - start1), 2) if recovered_at else None,
        "recovery_s_after_restart_cmd": round(recovered_at - start0, 2) if recovered_at else None,
        "unavailable_s": round(recovered_at - stop0, 2) if recovered_at else None,
    }


async def _scenario(
    url: str,
    node: Any,
    workload: Workload,
    concurrency: int,
    warmup: float,
    down: float,
    after: float,
    max_seconds: float,
) -> tuple[list[Sample], dict[str, float]]:
    t0 = time.perf_counter()
    samples: list[Sample] = []
    stop = asyncio.Event()
    marks: dict[str, float] = {}

    def now() -> float:
        return time.perf_counter() - t0

    load = asyncio.create_task(
        run_load(
            url, workload.next, concurrency, 10**7, max_seconds, timeout=30, t0=t0, samples=samples, stop=stop
        )
    )
    try:
        await asyncio.sleep(warmup)
        marks["stop_begin"] = now()
        await asyncio.to_thread(node.stop)
        marks["stop_end"] = now()
        await asyncio.sleep(down)
        marks["start_begin"] = now()
        await asyncio.to_thread(node.start)
        marks["start_end"] = now()
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline and not any(
            s.ok and s.start >= marks["stop_end"] for s in samples
        ):
            await asyncio.sleep(0.1)
        await asyncio.sleep(after)
    finally:
        stop.set()
        await load
    return samples, marks


def run_outage(
    settings: Settings,
    files: list[Path],
    port: int = 9290,
    posts_per_file: int = 150,
    concurrency: int = 8,
    warmup: float = 15,
    down: float = 10,
    after: float = 15,
    max_seconds: float = 400,
    log: Any = print,
) -> dict[str, Any]:
    from localnode import LocalNode

    node_settings = settings.model_copy(
        update={"es_port": port, "es_url": f"http://127.0.0.1:{port}", "index": ALIAS}
    )
    node = LocalNode(node_settings, report=lambda m: None)
    log(f"outage: starting a dedicated node on port {port}")
    node.start()
    try:
        es = Elasticsearch(f"http://127.0.0.1:{port}", request_timeout=120)
        try:
            corpus = ensure_corpus(es, ALIAS, small_files(files), posts_per_file, log=log)
        finally:
            es.close()
        with api_server(node_settings) as url:
            workload = Workload(mix={"search": 60, "facets": 20, "timeline": 15, "export": 5})
            log(f"outage: load at concurrency {concurrency}; node down at {warmup:g} s for {down:g} s")
            samples, marks = asyncio.run(
                _scenario(url, node, workload, concurrency, warmup, down, after, max_seconds)
            )
        result = analyse(samples, marks)
        result.update(
            {
                "port": port,
                "posts": corpus["posts"],
                "concurrency": concurrency,
                "es_wait_s": node_settings.es_wait,
                "down_s": down,
            }
        )
        return result
    finally:
        node.stop()
