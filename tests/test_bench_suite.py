"""The suite's step selection and summary, without running any step."""

from __future__ import annotations

import bench.__main__ as suite


def test_chosen_steps() -> None:
    default = suite.chosen(None, None, False)
    assert default[:4] == ["relevance", "query", "load", "outage"]
    assert "scale" not in default
    # the scale steps: ingest of the whole 1M copy first, then latency on the index it built
    assert suite.chosen(None, None, True)[-3:] == ["scale", "scale-query", "scale-analytics"]
    for step in ("scale-query", "scale-analytics"):
        assert "bench-scale" in suite.STEPS[step][1]
    assert suite.chosen(["query", "load"], ["load"], False) == ["query"]


def test_summary_lists_steps_and_tables() -> None:
    info = {
        "cpu": "cpu",
        "cores": 2,
        "memory_gib": 1.0,
        "python": "3.11",
        "platform": "linux",
        "commit": "abc",
        "when": "now",
    }
    statuses = [
        {"step": "query", "exit_code": 0, "timed_out": False, "seconds": 1.0, "table": "# Query\n\n| a |"},
        {"step": "load", "exit_code": 2, "timed_out": False, "seconds": 2.0, "table": None},
        {"step": "outage", "exit_code": -1, "timed_out": True, "seconds": 3.0, "table": None},
    ]
    md = suite.summary_md(info, statuses)
    assert "| query | ok | 1.0 |" in md and "| load | failed (2) |" in md and "| outage | timed out |" in md
    assert "## Query" in md and "cpu, 2 cores" in md
