"""Try ranking constants on the tuning half only: ``python -m bench.relevance.tune``.

    python -m bench.relevance.tune --topics FILE --qrels FILE --index bench-v3 \\
        --try build.COORD_BOOST=0,2,5 --try sort.RECENCY_WEIGHT=0,0.3

``--set MODULE.NAME=V`` holds a constant at V for the whole run (combinations). Each
``--try MODULE.NAME=V1,V2`` sets a constant of ``api.query.build`` (``build.``),
``api.query.sort`` (``sort.``), ``api.query.term_stats`` (``stats.``) or
``api.query.search_request`` (``request.``) to each value in turn, the others at their defaults, and
prints nDCG@10 (all judgments / judged-only) per kind on the topics whose ``half`` is
``--half`` (default ``tune``). The held-out half is never read here: decide on this, then
report both halves with ``python -m bench.relevance``.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from bench.common import elasticsearch
from bench.relevance.formats import load_qrels, load_topics
from bench.relevance.run import api_runs, evaluate
from indexer.config import Settings

_MODULES = {
    "build": "api.query.build",
    "sort": "api.query.sort",
    "stats": "api.query.term_stats",
    "request": "api.query.search_request",
}


def _parse(item: str) -> tuple[Any, str, list[float]]:
    target, _, values = item.partition("=")
    short, _, name = target.partition(".")
    if short not in _MODULES or not name or not values:
        raise SystemExit(f"--try wants MODULE.NAME=V1,V2 with MODULE one of {sorted(_MODULES)}, got {item!r}")
    module = importlib.import_module(_MODULES[short])
    if not hasattr(module, name):
        raise SystemExit(f"{_MODULES[short]} has no {name}")
    return module, name, [float(v) for v in values.split(",")]


def _line(label: str, result: dict[str, Any]) -> str:
    data = result["systems"]["aiposts"]
    cells = [f"all {data['overall']['ndcg@10']:.3f}/{data['judged_only']['overall']['ndcg@10']:.3f}"]
    for kind in result["kinds"]:
        a = data["by_kind"][kind]["ndcg@10"]
        j = data["judged_only"]["by_kind"][kind]["ndcg@10"]
        cells.append(f"{kind} {a:.3f}/{j:.3f}")
    return f"{label:<34} " + "  ".join(cells) + f"  empty {len(data['empty'])}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.relevance.tune")
    ap.add_argument("--topics", type=Path, required=True)
    ap.add_argument("--qrels", type=Path, required=True)
    ap.add_argument("--index", default="bench-corpus")
    ap.add_argument("--half", default="tune")
    ap.add_argument("--try", dest="tries", action="append", default=[])
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="MODULE.NAME=V",
                    help="hold a constant at V for the whole run (to try combinations)")
    args = ap.parse_args(argv)
    for item in args.sets:
        module, name, values = _parse(item)
        setattr(module, name, values[0])
    topics = [t for t in load_topics(args.topics) if t.extra.get("half") == args.half]
    qrels = load_qrels(args.qrels)
    with elasticsearch(Settings.from_env()) as (settings, _):
        api_settings = settings.model_copy(update={"index": args.index})

        def score(label: str) -> None:
            result = evaluate({"aiposts": api_runs(api_settings, topics, 100)}, topics, qrels)
            print(_line(label, result), flush=True)

        score("defaults" + "".join(f" {x}" for x in args.sets))
        for item in args.tries:
            module, name, values = _parse(item)
            default = getattr(module, name)
            for value in values:
                setattr(module, name, value)
                score(f"{module.__name__.rsplit('.', 1)[1]}.{name}={value:g}")
            setattr(module, name, default)


if __name__ == "__main__":
    main()
