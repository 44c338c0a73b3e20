"""JSON Lines: canonical and flat forms, the shared corpus, and the committed JSON Schema."""

from __future__ import annotations

import gzip
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from indexer.post import LangText, Post, make_post_id
from indexer.schema import SCHEMA_PATH, build_schema, render_schema
from indexer.sources import Parsed, Reject, read_records
from indexer.sources.jsonl import read_jsonl

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "stats.json").exists(), reason="no shared corpus")


def _write(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _posts(path: Path) -> list[Post]:
    out = list(read_jsonl(path))
    assert all(isinstance(x, Parsed) for x in out), [str(x) for x in out if isinstance(x, Reject)]
    return [x.post for x in out]  # type: ignore[union-attr,misc]


# --- the shared corpus -------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("name", ["en_lilianweng_posts", "en_skynettoday_posts", "ja_mamezou_posts"])
def test_corpus_file_reads_whole(name: str) -> None:
    stats = json.loads((CORPUS / "stats.json").read_text())
    out = list(read_records([CORPUS / f"{name}.jsonl.gz"]))
    rejects = [str(x) for x in out if isinstance(x, Reject)]
    assert rejects == []
    assert len(out) == stats[f"{name}.jsonl"]["n"]
    posts = [x.post for x in out]  # type: ignore[union-attr]
    assert len({p.id for p in posts}) == len(posts)
    assert all(p.published and p.published.utcoffset() == timedelta(0) for p in posts)
    assert all(p.texts and p.url for p in posts)


@needs_corpus
def test_corpus_record_mapping() -> None:
    first = next(read_jsonl(CORPUS / "en_lilianweng_posts.jsonl.gz"))
    assert isinstance(first, Parsed)
    p: Post = first.post  # type: ignore[assignment]
    assert p.id == "lilianweng-2017-06-21-overview"
    assert p.url == "https://lilianweng.github.io/posts/2017-06-21-overview/"
    assert p.doc_type == "post"
    assert p.texts["en"].title == "An Overview of Deep Learning for Curious People"
    assert p.texts["en"].summary and p.texts["en"].body
    assert p.published == datetime(2017, 6, 21, tzinfo=UTC)
    assert p.source == "Lil'Log (Lilian Weng)"
    assert p.authors == ["Lilian Weng"]
    assert [t.display for t in p.tags] == ["foundation", "tutorial"]
    assert first.location.line == 1 and first.location.offset == 0
    assert p.lang is None and p.content_hash is None


@needs_corpus
def test_corpus_collector_first_records() -> None:
    out = list(itertools.islice(read_jsonl(CORPUS / "ja_ainewscollector_items.jsonl.gz"), 200))
    assert len(out) == 200 and all(isinstance(x, Parsed) for x in out)
    posts: list[Post] = [x.post for x in out]  # type: ignore[union-attr,misc]
    first = posts[0]
    assert first.id == "ainc-1cd43aa096899859d6d9a03b5fa640fb"
    assert first.doc_type == "feed_item"
    assert first.source == "Business Insider Japan"
    assert first.texts["ja"].title.startswith("社員50人以下で評価額10億ドル超の")
    assert first.published == datetime(2025, 5, 12, tzinfo=UTC)
    assert [x.location.line for x in out] == list(range(1, 201))
    assert sum("ja" in p.texts for p in posts) > 150


@needs_corpus
def test_corpus_translation_link() -> None:
    first = next(read_jsonl(CORPUS / "en_mamezou_posts.jsonl.gz"))
    p: Post = first.post  # type: ignore[union-attr]
    assert p.translation_of == "mamezou-ja-agile-agile-po-complaints_02"
    assert "en" in p.texts  # English text, Japanese tags
    assert [t.display for t in p.tags] == ["スクラム", "summer2024", "アジャイル開発"]


# --- the flat form -----------------------------------------------------------------------------


def test_flat_record_language_by_script(tmp_path: Path) -> None:
    posts = _posts(_write(tmp_path / "a.jsonl", [
        {"id": "a", "title": "生成AIの最新動向", "body": "大規模言語モデルの話題です。", "lang": "en"},
        {"id": "b", "title": "Claude Code tips", "body": "Claude Code を使った開発の進め方を紹介します。"
                                                         "エージェントに任せる範囲を決めることが大切です。"},
        {"id": "c", "title": "Plain English", "summary": "Only a summary.", "lang": "ja"},
        {"id": "d", "title": "12345", "lang": "ja"},
    ]))
    assert list(posts[0].texts) == ["ja"]  # declared en, written in Japanese
    assert list(posts[1].texts) == ["ja"]  # English title, Japanese body: decided by the whole
    assert posts[1].texts["ja"].title == "Claude Code tips"
    assert list(posts[2].texts) == ["en"]
    assert list(posts[3].texts) == ["ja"]  # no letters at all: the declared language stands


def test_flat_record_fields_and_dates(tmp_path: Path) -> None:
    posts = _posts(_write(tmp_path / "a.jsonl", [
        {"title": "T1", "body": "b", "url": "https://example.com/p?utm_source=x",
         "published": "2025-06-01", "tags": ["#Model Welfare", "model welfare", "LLM"],
         "authors": "One Author", "doc_type": "article", "source": "Ex"},
        {"id": 42, "title": "T2", "published": "2025-06-01T10:00:00"},
        {"id": "t3", "title": "T3", "published": "2025-06-01T10:00:00+09:00", "doc_type": "news_item"},
        {"id": "t4", "title": "T4", "published": "2025-06-01T01:00:00Z", "extra_field": {"kept": False}},
    ]))
    p1, p2, p3, p4 = posts
    assert p1.id == make_post_id("https://example.com/p?utm_source=x", "Ex", "T1", p1.published)
    assert p1.published == datetime(2025, 6, 1, tzinfo=UTC)
    assert [t.display for t in p1.tags] == ["Model Welfare", "LLM"]  # same key kept once
    assert p1.authors == ["One Author"]
    assert p1.doc_type == "post"
    assert p2.id == "42"
    assert p2.published == datetime(2025, 6, 1, 10, tzinfo=UTC)
    assert p3.published == datetime(2025, 6, 1, 10, tzinfo=timezone(timedelta(hours=9)))
    assert p3.doc_type == "news_item"
    assert p4.published == datetime(2025, 6, 1, 1, tzinfo=UTC)


def test_flat_record_field_errors(tmp_path: Path) -> None:
    out = list(read_jsonl(_write(tmp_path / "a.jsonl", [
        {"id": "a", "title": "x", "tags": 3},
        {"id": "b", "title": "x", "doc_type": "tweet"},
        {"id": "c", "title": "x", "published": "2025-02-30"},
        {"id": "d", "summary": "", "url": "https://example.com"},
        [1, 2],
        {"id": "f", "title": "ok"},
    ])))
    assert [type(x).__name__ for x in out] == ["Reject"] * 5 + ["Parsed"]
    reasons = [x.reason for x in out[:5]]  # type: ignore[union-attr]
    assert reasons[0].startswith("tags:")
    assert "unknown doc_type 'tweet'" in reasons[1]
    assert "2025-02-30" in reasons[2] and "out of range" in reasons[2]
    assert reasons[3].startswith("nothing to index")
    assert reasons[4] == "expected a JSON object, got an array"
    assert [x.location.line for x in out] == [1, 2, 3, 4, 5, 6]


# --- the canonical form ------------------------------------------------------------------------


def test_canonical_record(tmp_path: Path) -> None:
    post = Post(
        id="canon-1",
        url="https://example.com/c",
        texts={"en": LangText(title="モデルの福祉", body="日本語の本文です。")},
        published=datetime(2025, 6, 1, 9, tzinfo=timezone(timedelta(hours=9))),
        key_terms=["stale"],
        content_hash="stale",
        lang="en",
    )
    line = post.model_dump(mode="json")
    p = _posts(_write(tmp_path / "c.jsonl", [line]))[0]
    assert p.id == "canon-1"
    assert list(p.texts) == ["ja"]  # filed under en, written in Japanese: moved
    assert p.texts["ja"].title == "モデルの福祉"
    assert p.key_terms == [] and p.content_hash is None and p.lang is None
    assert p.published == post.published


def test_canonical_record_rejects_unknown_keys(tmp_path: Path) -> None:
    out = list(read_jsonl(_write(tmp_path / "c.jsonl", [
        {"id": "x", "texts": {"en": {"title": "T"}}, "bogus": 1},
        {"texts": {"en": {"title": "T"}}},
        {"id": "y", "texts": {"en": {"title": "T"}}, "published": "2025-06-01T10:00:00"},
    ])))
    assert all(isinstance(x, Reject) for x in out)
    reasons = [x.reason for x in out]  # type: ignore[union-attr]
    assert reasons[0].startswith("bogus:")
    assert reasons[1].startswith("id:")
    assert reasons[2].startswith("published:")


def test_gzip_is_transparent(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl.gz"
    with gzip.open(f, "wt", encoding="utf-8") as g:
        g.write(json.dumps({"id": "g", "title": "gz"}) + "\n")
    out = list(read_records([f]))
    assert len(out) == 1 and out[0].post.id == "g"  # type: ignore[union-attr]
    plain = tmp_path / "y.data"  # gzip by content even without the suffix
    plain.write_bytes(f.read_bytes())
    assert next(read_jsonl(plain)).post.id == "g"  # type: ignore[union-attr]


# --- the schema --------------------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "indexer/schema/post.schema.json is stale: run .venv/bin/python -m indexer.schema"
    )


def test_schema_shape() -> None:
    schema = build_schema()
    assert [b["$ref"] for b in schema["anyOf"]] == ["#/$defs/Post", "#/$defs/FlatPost"]
    assert {"Post", "FlatPost", "LangText", "Tag"} <= set(schema["$defs"])
    flat = schema["$defs"]["FlatPost"]["properties"]
    assert {"title", "summary", "body", "lang", "tags", "published"} <= set(flat)
    assert {"format": "date", "type": "string"} in flat["published"]["anyOf"]
