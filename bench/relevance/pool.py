"""Tools for building a judged set: pool the top hits of every system, then read them.

    python -m bench.relevance.pool pool [--topics FILE] [--depth 20] --out POOL.tsv
    python -m bench.relevance.pool show --pool POOL.tsv --topic ID [--qrels FILE] [--unjudged]

``pool`` writes ``qid<TAB>post_id<TAB>systems`` for the union of each system's top ``depth``
(the API and both baselines). ``show`` prints the pooled posts of a topic compactly for a
grader: id, language, source, date, title, the start of the summary or body, and for long
texts how often the query's words occur and a short passage around the first occurrence.
It reads the posts from the indexed corpus and prints them to the terminal only.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path
from typing import Any

from bench.common import CORPUS, elasticsearch
from bench.relevance.baselines import plain_words
from bench.relevance.formats import load_qrels, load_topics
from bench.relevance.run import api_runs, baseline_runs, ensure_baselines
from indexer.config import Settings

TOPICS = Path(__file__).resolve().parents[1] / "topics"


def merge_pool(runs: dict[str, dict[str, list[str]]], depth: int) -> dict[str, dict[str, list[str]]]:
    """qid -> post id -> the systems that returned it in their top ``depth`` (first-seen order)."""
    pool: dict[str, dict[str, list[str]]] = {}
    for system, run in runs.items():
        for qid, ids in run.items():
            for pid in ids[:depth]:
                pool.setdefault(qid, {}).setdefault(pid, []).append(system)
    return pool


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _words(query: str) -> list[str]:
    return [w for w in plain_words(query).split() if len(w) > 1]


def describe(src: dict[str, Any], query: str, width: int = 170) -> str:
    texts = src.get("texts") or {}
    title = next((t.get("title") for t in texts.values() if t.get("title")), "")
    lead = next((t.get("summary") or t.get("body") or "" for t in texts.values()), "")
    full = "\n".join(
        x for t in texts.values() for x in (t.get("title"), t.get("summary"), t.get("body")) if x
    )
    folded = unicodedata.normalize("NFKC", full).lower()
    parts = [f"[{src.get('lang')}] {src.get('source')} {str(src.get('published') or '')[:10]}",
             f"T: {_clip(title, 110)}", f"L: {_clip(lead, width)}"]
    if len(full) > 400:
        hits = {w: folded.count(unicodedata.normalize("NFKC", w).lower()) for w in _words(query)}
        parts.append("hits " + " ".join(f"{w}={n}" for w, n in hits.items()))
        first = min((folded.find(unicodedata.normalize("NFKC", w).lower()) for w in hits if hits[w]), default=-1)
        if first >= 0:
            parts.append(f"@: {_clip(full[max(0, first - 60): first + 110], width)}")
    return " | ".join(parts)


def cmd_pool(args: argparse.Namespace) -> None:
    topics = load_topics(args.topics)
    files = sorted(args.corpus.glob("*.jsonl.gz"))
    with elasticsearch(Settings.from_env()) as (settings, es):
        built = ensure_baselines(es, files)
        runs = {"aiposts": api_runs(settings.model_copy(update={"index": args.index}), topics, args.depth)}
        for kind, info in built.items():
            runs[kind] = baseline_runs(es, info["index"], kind, topics, args.depth)
    pool = merge_pool(runs, args.depth)
    lines = [f"{q}\t{p}\t{','.join(s)}" for q in (t.id for t in topics) for p, s in pool.get(q, {}).items()]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sizes = [len(pool.get(t.id, {})) for t in topics]
    print(f"{len(lines)} pooled posts for {len(topics)} topics (mean {sum(sizes) / len(sizes):.1f}, "
          f"min {min(sizes)}, max {max(sizes)}) -> {args.out}")


def cmd_show(args: argparse.Namespace) -> None:
    topics = {t.id: t for t in load_topics(args.topics)}
    judged = load_qrels(args.qrels) if args.qrels and args.qrels.exists() else {}
    wanted = [q.strip() for q in args.topic.split(",")]
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in args.pool.read_text(encoding="utf-8").splitlines():
        qid, pid, systems = line.split("\t")
        if qid in wanted and not (args.unjudged and pid in judged.get(qid, {})):
            rows.setdefault(qid, []).append((pid, systems))
    with elasticsearch(Settings.from_env()) as (_, es):
        for qid in wanted:
            t = topics[qid]
            print(f"== {qid} [{t.kind}] {t.query!r} — {t.extra.get('about', '')}")
            ids = [pid for pid, _ in rows.get(qid, [])]
            found = {}
            if ids:
                resp = es.mget(index=args.index, ids=ids, source=["lang", "source", "published", "texts"])
                found = {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}
            for pid, systems in rows.get(qid, []):
                tag = "".join(s[0] for s in systems.split(","))
                src = found.get(pid)
                text = describe(src, t.query) if src else "(not in the index)"
                print(f"{pid} <{tag}> {text}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.relevance.pool")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--topics", type=Path, default=TOPICS / "topics.json")
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--index", default="bench-corpus")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=cmd_pool)
    s = sub.add_parser("show")
    s.add_argument("--topics", type=Path, default=TOPICS / "topics.json")
    s.add_argument("--pool", type=Path, required=True)
    s.add_argument("--topic", required=True, help="topic id(s), comma-separated")
    s.add_argument("--qrels", type=Path)
    s.add_argument("--unjudged", action="store_true", help="only posts without a judgment yet")
    s.add_argument("--index", default="bench-corpus")
    s.set_defaults(func=cmd_show)
    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()


