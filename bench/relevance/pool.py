"""Tools for building a judged set: pool the top hits of every system, then read them.

    python -m bench.relevance.pool pool [--topics FILE] [--depth 20] [--systems ...] --out POOL.tsv
    python -m bench.relevance.pool show --pool POOL.tsv --topic ID [--qrels FILE] [--unjudged]

``pool`` writes ``qid<TAB>post_id<TAB>systems`` for the union of each system's top ``depth``
(the API, its ``match=most`` and ``match=any`` modes, and both baselines; ``--systems`` picks).
An existing ``--out`` file is extended: only posts it does not pool yet are appended, so a
new system's hits can be added to a judged pool and graded alone. ``show`` prints the
pooled posts of a topic compactly for a grader: id, language, source, date, title, the start
of the summary or body, and for long texts how often the query's words occur and a short
passage around the first occurrence. It reads the posts from the indexed corpus and prints
them to the terminal only.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path
from typing import Any

from bench.common import CORPUS, elasticsearch
from bench.relevance.baselines import plain_words
from bench.relevance.formats import load_qrels, load_topics
from bench.relevance.run import MATCH_VARIANTS, api_runs, baseline_runs, ensure_baselines
from bench.relevance.trec import read_run
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
    """The query's content words (as the API splits them), for counting in long texts."""
    from indexer.analysis.query_words import content_words

    return [w.text for w in content_words(plain_words(query)) if len(w.text) > 1]


def describe(src: dict[str, Any], query: str, width: int = 110) -> str:
    texts = src.get("texts") or {}
    title = next((t.get("title") for t in texts.values() if t.get("title")), "")
    lead = next((t.get("summary") or t.get("body") or "" for t in texts.values()), "")
    full = "\n".join(
        x for t in texts.values() for x in (t.get("title"), t.get("summary"), t.get("body")) if x
    )
    folded = unicodedata.normalize("NFKC", full).lower()
    source = str(src.get("source") or "").replace(" (via はてなブックマーク)", "")
    parts = [
        f"[{src.get('lang')}] {source} {str(src.get('published') or '')[:10]}",
        f"T: {_clip(title, 100)}",
        f"L: {_clip(lead, width)}",
    ]
    if len(full) > 400:
        hits = {w: folded.count(unicodedata.normalize("NFKC", w).lower()) for w in _words(query)}
        parts.append("hits " + " ".join(f"{w}={n}" for w, n in hits.items()))
        found = (folded.find(unicodedata.normalize("NFKC", w).lower()) for w in hits if hits[w])
        first = min(found, default=-1)
        if first >= 0:
            parts.append(f"@: {_clip(full[max(0, first - 60) : first + 110], width)}")
    return " | ".join(parts)


def cmd_pool(args: argparse.Namespace) -> None:
    topics = load_topics(args.topics)
    files = sorted(args.corpus.glob("*.jsonl.gz"))
    with elasticsearch(Settings.from_env()) as (settings, es):
        built = ensure_baselines(es, files)
        runs = {}
        api_settings = settings.model_copy(update={"index": args.index})
        if "aiposts" in args.systems:
            runs["aiposts"] = api_runs(api_settings, topics, args.depth)
        for mode in MATCH_VARIANTS:
            if f"aiposts-{mode}" in args.systems:
                runs[f"aiposts-{mode}"] = api_runs(api_settings, topics, args.depth, {"match": mode})
        for kind, info in built.items():
            if kind in args.systems:
                runs[kind] = baseline_runs(es, info["index"], kind, topics, args.depth)
    for item in args.extra_run:
        name, _, path = item.partition("=")
        runs[name] = read_run(Path(path))
    pool = merge_pool(runs, args.depth)
    known: set[tuple[str, str]] = set()
    if args.out.exists():
        known = {tuple(line.split("\t")[:2]) for line in args.out.read_text(encoding="utf-8").splitlines()}
    lines = [
        f"{q}\t{p}\t{','.join(s)}"
        for q in (t.id for t in topics)
        for p, s in pool.get(q, {}).items()
        if (q, p) not in known
    ]
    with args.out.open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    sizes = [len(pool.get(t.id, {})) for t in topics]
    print(
        f"{len(lines)} new pooled posts for {len(topics)} topics (this run's pool: mean "
        f"{sum(sizes) / len(sizes):.1f}, min {min(sizes)}, max {max(sizes)}) -> {args.out}"
    )


def pooled(
    pool: Path, wanted: list[str], judged: dict[str, dict[str, int]], unjudged: bool
) -> dict[str, list[tuple[str, str]]]:
    """qid -> [(post id, systems)] in pool-file order, without the judged ones if ``unjudged``."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in pool.read_text(encoding="utf-8").splitlines():
        qid, pid, systems = line.split("\t")
        if qid in wanted and not (unjudged and pid in judged.get(qid, {})):
            rows.setdefault(qid, []).append((pid, systems))
    return rows


def cmd_grade(args: argparse.Namespace) -> None:
    """Append grades, one digit per post of ``show --unjudged`` for the topic, in its order."""
    judged = load_qrels(args.qrels) if args.qrels.exists() else {}
    rows = pooled(args.pool, [args.topic], judged, True).get(args.topic, [])
    grades = "".join(args.grades.split())
    if len(grades) != len(rows) or set(grades) - set("012"):
        raise SystemExit(f"{args.topic}: {len(rows)} unjudged posts, got {len(grades)} grades {grades!r}")
    with args.qrels.open("a", encoding="utf-8") as f:
        for (pid, _), g in zip(rows, grades, strict=True):
            f.write(f"{args.topic}\t{pid}\t{g}\n")
    print(f"{args.topic}: {len(rows)} grades added")


def cmd_show(args: argparse.Namespace) -> None:
    topics = {t.id: t for t in load_topics(args.topics)}
    judged = load_qrels(args.qrels) if args.qrels and args.qrels.exists() else {}
    wanted = [q.strip() for q in args.topic.split(",")]
    rows = pooled(args.pool, wanted, judged, args.unjudged)
    with elasticsearch(Settings.from_env()) as (_, es):
        for qid in wanted:
            t = topics[qid]
            about = t.extra.get("narrative") or t.extra.get("about", "")
            print(f"== {qid} [{t.kind}] {t.query!r} — {about}")
            ids = [pid for pid, _ in rows.get(qid, [])]
            found = {}
            if ids:
                resp = es.mget(index=args.index, ids=ids, source=["lang", "source", "published", "texts"])
                found = {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}
            for i, (pid, systems) in enumerate(rows.get(qid, []), 1):
                tag = "".join(s[0] for s in systems.split(","))
                src = found.get(pid)
                text = describe(src, t.query) if src else "(not in the index)"
                print(f"{i}. <{tag}> {text}" if args.brief else f"{pid} <{tag}> {text}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.relevance.pool")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--topics", type=Path, default=TOPICS / "typed" / "topics.json")
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--index", default="bench-corpus")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--systems",
        nargs="+",
        default=["aiposts", "standard", "bigram", "fugashi"],
        choices=["aiposts", *(f"aiposts-{m}" for m in MATCH_VARIANTS), "standard", "bigram", "fugashi"],
    )
    p.add_argument("--extra-run", action="append", default=[], metavar="NAME=FILE",
                   help="also pool a TREC run file made elsewhere (e.g. another commit's default)")
    p.set_defaults(func=cmd_pool)
    s = sub.add_parser("show")
    s.add_argument("--topics", type=Path, default=TOPICS / "typed" / "topics.json")
    s.add_argument("--pool", type=Path, required=True)
    s.add_argument("--topic", required=True, help="topic id(s), comma-separated")
    s.add_argument("--qrels", type=Path)
    s.add_argument("--unjudged", action="store_true", help="only posts without a judgment yet")
    s.add_argument("--index", default="bench-corpus")
    s.add_argument("--brief", action="store_true", help="number the posts instead of printing ids")
    s.set_defaults(func=cmd_show)
    g = sub.add_parser("grade", help="append grades for a topic's unjudged posts, in show order")
    g.add_argument("--pool", type=Path, required=True)
    g.add_argument("--qrels", type=Path, required=True)
    g.add_argument("--topic", required=True)
    g.add_argument("--grades", required=True, help="one digit (0, 1, 2) per post, e.g. '2210 0120'")
    g.set_defaults(func=cmd_grade)
    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
