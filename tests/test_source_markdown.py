"""Markdown with YAML front matter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from indexer.post import Post
from indexer.sources import Parsed, Reject, read_records
from indexer.sources.markdown import read_markdown

FULL = """---
title: "Claude Code で始めるエージェント開発"
date: 2025-06-01
tags: [生成AI, "#LLM", Claude Code]
author: 山田 太郎
lang: ja
url: https://example.com/posts/agent
source: Example Tech Blog
description: エージェント開発の入門記事です。
---

# 見出し

本文の段落です。**強調**もそのまま残します。

```bash
# これはコメントで、見出しではない
echo hi
```
"""


def _one(path: Path) -> Post:
    out = list(read_markdown(path))
    assert len(out) == 1 and isinstance(out[0], Parsed), [str(x) for x in out]
    return out[0].post  # type: ignore[return-value]


def test_front_matter(tmp_path: Path) -> None:
    f = tmp_path / "post.md"
    f.write_text(FULL, encoding="utf-8")
    p = _one(f)
    ja = p.texts["ja"]
    assert ja.title == "Claude Code で始めるエージェント開発"
    assert ja.summary == "エージェント開発の入門記事です。"
    assert ja.body.startswith("# 見出し\n\n本文の段落です。**強調**もそのまま残します。")
    assert "echo hi" in ja.body
    assert p.published == datetime(2025, 6, 1, tzinfo=UTC)
    assert [t.display for t in p.tags] == ["生成AI", "LLM", "Claude Code"]
    assert p.authors == ["山田 太郎"]
    assert p.url == "https://example.com/posts/agent"
    assert p.source == "Example Tech Blog"
    assert p.doc_type == "post"
    assert len(p.id) == 20


def test_front_matter_variants(tmp_path: Path) -> None:
    f = tmp_path / "v.markdown"
    f.write_text(
        "---\nid: my-id\ntitle: An English post\ndate: 2025-06-01T10:00:00+09:00\n"
        "topics: agents, evals\nauthors:\n  - name: A\n  - B\nsummary: Short.\n---\nBody text.\n",
        encoding="utf-8",
    )
    p = _one(f)
    assert p.id == "my-id"
    assert p.published == datetime(2025, 6, 1, 10, tzinfo=timezone(timedelta(hours=9)))
    assert [t.display for t in p.tags] == ["agents", "evals"]
    assert p.authors == ["A", "B"]
    assert p.texts["en"].body == "Body text."


def test_no_front_matter_title_from_heading(tmp_path: Path) -> None:
    f = tmp_path / "plain.md"
    f.write_text("```\n# not a title\n```\n\nIntro line.\n\n# The Real Title\n\nText.\n", encoding="utf-8")
    p = _one(f)
    assert p.texts["en"].title == "The Real Title"
    assert p.texts["en"].body.startswith("```\n# not a title")
    assert p.published is None and p.tags == []


def test_bad_yaml_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\ntags: a\n---\nBody\n", encoding="utf-8")
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\ntitle: x\nBody without end\n", encoding="utf-8")
    scalar = tmp_path / "scalar.md"
    scalar.write_text("---\njust a string\n---\nBody\n", encoding="utf-8")
    bad_date = tmp_path / "date.md"
    bad_date.write_text("---\ntitle: x\ndate: 2025-02-30\n---\nBody\n", encoding="utf-8")
    bad_tags = tmp_path / "tags.md"
    bad_tags.write_text("---\ntitle: x\ntags: {a: 1}\n---\nBody\n", encoding="utf-8")
    out = list(read_records([bad, unclosed, scalar, bad_date, bad_tags]))
    assert all(isinstance(x, Reject) for x in out)
    reasons = [x.reason for x in out]  # type: ignore[union-attr]
    assert reasons[0].startswith("bad YAML front matter at line")
    assert "never closed" in reasons[1]
    assert "not a mapping" in reasons[2]
    assert "2025-02-30" in reasons[3]
    assert reasons[4].startswith("front matter tags:")
    assert out[0].location.path == str(bad)  # type: ignore[union-attr]
    assert out[0].raw.startswith(b"---\ntitle: [unclosed")  # type: ignore[union-attr]
