"""The whole bench suite in one command.

    python -m bench [--only STEP ...] [--skip STEP ...] [--scale]

Steps, each its own ``python -m`` process writing ``bench/results/<name>.json`` and ``.md``:
relevance, query, load, outage, analytics when ``bench.analytics`` exists, and entity
highlighting (``bench.query.highlight``); ``--scale``
adds the scale generator, the ingest of the whole scaled copy (1M posts) and the query and
analytics latency on it (about two hours on 2 cores). The suite then writes
``bench/results/summary.json`` and ``summary.md``: the machine, each step's status and time,
and each step's table.

Elasticsearch: ``AIPOSTS_ES_URL`` when set, else the local node on ``AIPOSTS_ES_PORT``
(started once for the whole suite and stopped after it when the suite started it). The
outage step always uses a dedicated node of its own (port 9290).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.common import RESULTS, elasticsearch, machine
from indexer.config import Settings

STEPS: dict[str, tuple[str, list[str], int]] = {
    # name: (result file, command, time limit in seconds)
    "relevance": ("relevance", ["-m", "bench.relevance"], 7200),
    "query": ("query", ["-m", "bench.query"], 3600),
    "load": (
        "load",
        ["-m", "bench.load", "run", "--concurrency", "8", "32", "--requests", "3000", "--duration", "60"],
        1800,
    ),
    "outage": ("outage", ["-m", "bench.load", "outage"], 1200),
    # entity highlighting on the corpus alias: names read where they are against whole texts
    "highlight": ("highlight", ["-m", "bench.query.highlight", "--index", "bench-corpus"], 1200),
    # the analytics bench reads the corpus alias that the relevance step built
    "analytics": ("analytics", ["-m", "bench.analytics", "--alias", "bench-corpus"], 3600),
    # the scaled copy: generator, the whole 1M ingested into bench-scale, then latency there
    "scale": ("scale", ["-m", "bench.scale.measure", "--n", "1000000", "--ingest", "1000000"], 4 * 3600),
    "scale-query": ("query-bench-scale", ["-m", "bench.query", "--index", "bench-scale"], 3600),
    "scale-analytics": ("analytics-bench-scale", ["-m", "bench.analytics", "--alias", "bench-scale"], 3600),
}
SCALE = ("scale", "scale-query", "scale-analytics")
DEFAULT = ("relevance", "query", "load", "outage", "analytics", "highlight")


def chosen(only: list[str] | None, skip: list[str] | None, scale: bool) -> list[str]:
    steps = list(only) if only else [*DEFAULT, *(SCALE if scale else [])]
    steps = [s for s in steps if s not in (skip or [])]
    if "analytics" in steps and importlib.util.find_spec("bench.analytics") is None:
        steps.remove("analytics")
    return steps


def run_step(name: str, env: dict[str, str]) -> dict[str, Any]:
    result_name, args, limit = STEPS[name]
    print(f"== {name}: python {' '.join(args)}", flush=True)
    t = time.perf_counter()
    began = time.time() - 1
    try:
        code = subprocess.run([sys.executable, *args], env=env, timeout=limit, check=False).returncode
    except subprocess.TimeoutExpired:
        code = -1
    status: dict[str, Any] = {
        "step": name,
        "exit_code": code,
        "seconds": round(time.perf_counter() - t, 1),
        "timed_out": code == -1,
        "table": None,
        "result": None,
    }
    # the step's own files: <name>.json, or <name>-<something>.json, written during this run
    fresh = sorted(
        (p for p in RESULTS.glob(f"{result_name}*.json") if p.stat().st_mtime >= began),
        key=lambda p: p.stat().st_mtime,
    )
    if code == 0 and fresh:
        js = fresh[-1]
        status["file"] = str(js.relative_to(RESULTS.parent.parent))
        status["result"] = json.loads(js.read_text(encoding="utf-8"))
        md = js.with_suffix(".md")
        status["table"] = md.read_text(encoding="utf-8") if md.exists() else None
    return status


def summary_md(info: dict[str, Any], statuses: list[dict[str, Any]]) -> str:
    m = info
    lines = [
        "# Bench summary",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"{m['platform']}; commit {m['commit']}; {m['when']}.",
        "",
        "| step | status | seconds |",
        "|---|---|---:|",
    ]
    for s in statuses:
        failed = "timed out" if s["timed_out"] else f"failed ({s['exit_code']})"
        ok = "ok" if s["exit_code"] == 0 else failed
        lines.append(f"| {s['step']} | {ok} | {s['seconds']} |")
    for s in statuses:
        if s["table"]:
            body = s["table"].strip()
            lines += ["", "#" + body if body.startswith("# ") else body]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=list(STEPS))
    ap.add_argument("--skip", nargs="+", choices=list(STEPS))
    ap.add_argument("--scale", action="store_true", help="also the scale step (hours on 2 cores)")
    args = ap.parse_args(argv)
    steps = chosen(args.only, args.skip, args.scale)
    statuses = []
    with elasticsearch(Settings.from_env()) as (settings, _):
        env = {**os.environ, "AIPOSTS_ES_URL": settings.es_url}
        for name in steps:
            statuses.append(run_step(name, env))
    info = machine()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.json").write_text(
        json.dumps(
            {"machine": info, "steps": [{k: v for k, v in s.items() if k != "table"} for s in statuses]},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    md = summary_md(info, statuses)
    (RESULTS / "summary.md").write_text(md, encoding="utf-8")
    print(md)
    return 0 if all(s["exit_code"] == 0 for s in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())
