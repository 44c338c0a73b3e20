"""Relevance of ``/v1/search`` on the shared corpus, with two baselines in the same run.

    python -m bench.relevance [--topics FILE] [--qrels FILE] [--out FILE]

Prints nDCG@10, P@10, MRR and recall@100, overall and per query kind, for the API and for
the ``standard`` and ``bigram`` baselines (see ``bench/relevance/baselines.py``). The corpus
is indexed behind ``--index`` (default ``bench-corpus``) when that alias is missing, and the
baseline indices are built when missing; all three are reused afterwards.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.common import CORPUS, RESULTS, elasticsearch, machine, write_result
from bench.relevance.baselines import BASELINES
from bench.relevance.formats import load_qrels, load_topics
from bench.relevance.margins import RESAMPLES, margin_table, margins
from bench.relevance.run import MATCH_VARIANTS, compact_table, run_all, table
from bench.relevance.trec import read_run, write_runs
from indexer.config import Settings

TOPICS = Path(__file__).resolve().parents[1] / "topics"


def markdown(result: dict[str, object]) -> str:
    m: Any = result["machine"]
    corpus: Any = result["corpus"]
    return (
        "# Relevance\n\n"
        f"{result['topics_scored']} topics with judgments ({result['judgments']} judgments), "
        f"{corpus['posts']} posts in `{corpus['alias']}`; machine: {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, commit {m['commit']}, {m['when']}\n\n"
        "nDCG@10, all judgments / judged-only (unjudged posts removed from the runs):\n\n"
        + compact_table(result)  # type: ignore[arg-type]
        + "\n\nrecall@100, all judgments / judged-only:\n\n"
        + compact_table(result, "recall@100")  # type: ignore[arg-type]
        + "\n\nThe default against the best baseline of each group, with a paired bootstrap interval "
        f"over the topics ({RESAMPLES:,} resamples; `bench/relevance/margins.py`):\n\n"
        + margin_table(margins(result, "aiposts", BASELINES))
        + "\n\nAll metrics, all judgments:\n\n"
        + table(result)  # type: ignore[arg-type]
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n\n")[0])
    ap.add_argument("--topics", type=Path, default=TOPICS / "typed" / "topics.json")
    ap.add_argument("--qrels", type=Path, default=TOPICS / "typed" / "qrels.tsv")
    ap.add_argument("--out", type=Path, help=f"JSON result (default {RESULTS}/relevance.json, plus .md)")
    ap.add_argument("--index", default="bench-corpus", help="alias of the indexed corpus")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, help="posts per corpus file when indexing (small runs)")
    ap.add_argument("--depth", type=int, default=100, help="hits per topic and system")
    ap.add_argument("--rebuild-baselines", action="store_true")
    ap.add_argument(
        "--resume-ingest",
        action="store_true",
        help="run the corpus ingest even when the alias has posts (finishes an interrupted one)",
    )
    ap.add_argument("--runs", type=Path, help="write one TREC run file per system into this folder")
    ap.add_argument(
        "--extra-run",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="a TREC run file made elsewhere (another commit, another engine), scored beside the others",
    )
    ap.add_argument(
        "--match-modes",
        nargs="*",
        default=list(MATCH_VARIANTS),
        choices=list(MATCH_VARIANTS),
        help="the API's other match modes to run beside its default",
    )
    args = ap.parse_args(argv)
    extra: dict[str, dict[str, list[str]]] = {}
    for item in args.extra_run:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            ap.error(f"--extra-run wants NAME=FILE, got {item!r}")
        extra[name] = read_run(Path(path))

    topics = load_topics(args.topics)
    qrels = load_qrels(args.qrels)
    files = sorted(args.corpus.glob("*.jsonl.gz")) or sorted(args.corpus.glob("*.jsonl"))
    with elasticsearch(Settings.from_env()) as (settings, es):
        result = run_all(
            settings,
            es,
            topics,
            qrels,
            files,
            alias=args.index,
            limit=args.limit,
            depth=args.depth,
            rebuild_baselines=args.rebuild_baselines,
            resume=args.resume_ingest,
            match_modes=args.match_modes,
            extra_runs=extra,
        )
    runs = result.pop("runs")
    if args.runs:
        for path in write_runs(args.runs, runs):
            print(f"run file: {path}")
    result = {"machine": machine(), "topics_file": str(args.topics), "qrels_file": str(args.qrels), **result}
    md = markdown(result)
    print(md)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        args.out.with_suffix(".md").write_text(md + "\n", encoding="utf-8")
    else:
        write_result("relevance", result, md)


if __name__ == "__main__":
    main()
