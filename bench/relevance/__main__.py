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
from bench.relevance.formats import load_qrels, load_topics
from bench.relevance.run import run_all, table
from indexer.config import Settings

TOPICS = Path(__file__).resolve().parents[1] / "topics"


def markdown(result: dict[str, object]) -> str:
    m: Any = result["machine"]
    corpus: Any = result["corpus"]
    return (
        "# Relevance\n\n"
        f"{result['topics_scored']} topics with judgments ({result['judgments']} judgments), "
        f"{corpus['posts']} posts in `{corpus['alias']}`; machine: {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, commit {m['commit']}, {m['when']}\n\n" + table(result)  # type: ignore[arg-type]
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n\n")[0])
    ap.add_argument("--topics", type=Path, default=TOPICS / "topics.json")
    ap.add_argument("--qrels", type=Path, default=TOPICS / "qrels.tsv")
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
    args = ap.parse_args(argv)

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
        )
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
