"""Line-by-line analysis and its memo: same results with the memo on or off, and a bounded
memo that really saves the work on repeated lines."""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator

import pytest

from indexer.analysis import lines
from indexer.analysis.pipeline import analyze_post
from indexer.analysis.text import fields_from_tokens, tokenize
from indexer.post import Post
from tests.helpers import CORPUS


def corpus_texts(name: str, n: int) -> list[str]:
    with gzip.open(CORPUS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
        recs = [json.loads(line) for line in itertools.islice(f, n)]
    return [r["body"] for r in recs if r.get("body")]


@pytest.fixture()
def fresh_memo() -> Iterator[lines.LineMemo]:
    saved = lines.memo().max_bytes
    lines.set_cache_mb(0)  # empties it
    lines.set_cache_mb(8)
    memo = lines.memo()
    memo.hits = memo.misses = 0
    yield memo
    lines.set_cache_mb(0)
    lines.memo().resize(saved)


def test_memo_on_and_off_give_the_same_analysis(fresh_memo: lines.LineMemo) -> None:
    texts = corpus_texts("ja_mamezou_posts", 6) + corpus_texts("en_lilianweng_posts", 3)
    cold = [lines.analyze_text(t, "ja") for t in texts]
    warm = [lines.analyze_text(t, "ja") for t in texts]
    assert fresh_memo.hits > 100
    lines.set_cache_mb(0)
    off = [lines.analyze_text(t, "ja") for t in texts]
    assert cold == warm == off


def test_streams_are_the_lines_streams_joined(fresh_memo: lines.LineMemo) -> None:
    text = "Claude Opus 4.8 が公開された\n\n  \nAnthropic released it.\nモデル福祉の研究"
    got = lines.analyze_text(text, "ja")
    kept = [line for line in text.split("\n") if line.strip()]
    parts = [fields_from_tokens(tokenize(line, "ja"), "ja", line) for line in kept]
    assert got.fields.tokens == " ".join(p.tokens for p in parts)
    assert got.fields.bases == " ".join(p.bases for p in parts if p.bases)
    assert got.fields.bigrams == " ".join(p.bigrams for p in parts if p.bigrams)
    assert got.entities["claude-opus-4.8"] == 1
    assert got.entities["anthropic"] == 1
    assert got.terms["モデル福祉"] >= 1


def test_shuffled_paragraphs_are_served_from_the_memo(fresh_memo: lines.LineMemo) -> None:
    body = corpus_texts("en_lilianweng_posts", 1)[0]
    paragraphs = body.split("\n")
    assert len(paragraphs) > 20
    first = lines.analyze_text(body, "en")
    misses = fresh_memo.misses
    shuffled = "\n".join(reversed(paragraphs))
    again = lines.analyze_text(shuffled, "en")
    assert fresh_memo.misses == misses  # every line was remembered
    assert again.terms == first.terms and again.entities == first.entities
    assert sorted(again.fields.tokens.split()) == sorted(first.fields.tokens.split())


def test_memo_stays_within_its_bound(fresh_memo: lines.LineMemo) -> None:
    lines.set_cache_mb(1)
    for t in corpus_texts("ja_ainewscollector_items", 400):
        lines.analyze_text(t, "ja")
    assert 0 < fresh_memo.bytes <= 2**20
    assert fresh_memo.misses > 0


def test_post_analysis_does_not_depend_on_the_memo(fresh_memo: lines.LineMemo) -> None:
    body = "\n".join(corpus_texts("ja_ainewscollector_items", 3))
    post = Post(id="p", texts={"ja": {"title": "Gemini 2.5 の発表", "body": body}})
    with_memo = [analyze_post(post), analyze_post(post)]
    lines.set_cache_mb(0)
    without = analyze_post(post)
    assert with_memo[0] == with_memo[1] == without
    assert "gemini-2.5" in without.entities
