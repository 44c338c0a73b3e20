"""The aggregator page reader against the two real seed pages (read from ../shared/seeds)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from indexer.post import Post
from indexer.sources import Parsed, read_records
from indexer.sources.page import page_id, parse_page, read_page

SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"
SEED_000 = SEEDS / "000_4290f064b0d01753.txt"
SEED_002 = SEEDS / "002_cfd12810acb2d063.txt"
JST = timezone(timedelta(hours=9))

pytestmark = pytest.mark.skipif(not SEED_000.exists(), reason="shared seeds not available")

CHROME = (
    "影響分析・編集コメントを表示", "この記事をシェア", "今日のまとめ", "ニュース一覧に戻る元記事を読む",
    "AIニュース最前線", "関連記事", "原文を表示", "目次",
)


@pytest.fixture(scope="module")
def p0() -> Post:
    return parse_page(SEED_000.read_text(encoding="utf-8"), str(SEED_000))


@pytest.fixture(scope="module")
def p2() -> Post:
    return parse_page(SEED_002.read_text(encoding="utf-8"), str(SEED_002))


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n")]


def test_seed000_header(p0: Post) -> None:
    assert p0.id == "4290f064b0d01753"
    assert p0.doc_type == "aggregator_page"
    assert p0.texts["ja"].title == "Opus 4.8 パート2:モデルの福祉について"
    assert p0.source == "The Zvi"
    assert p0.published == datetime(2026, 6, 2, 0, 0, tzinfo=JST)
    assert p0.published.utcoffset() == timedelta(hours=9)
    assert p0.reading_minutes == 22
    assert p0.url is None


def test_seed000_tags_keep_spaces(p0: Post) -> None:
    assert [t.display for t in p0.tags] == [
        "LLM Safety", "Model Welfare", "Alignment", "Anthropic", "Adversarial Robustness",
    ]
    assert len({t.key for t in p0.tags}) == 5


def test_seed000_summary(p0: Post) -> None:
    summary = p0.texts["ja"].summary
    assert summary.startswith("The Zvi は、Opus 4.8 のモデル福祉に関する改善が")
    assert summary.endswith("敵対的学習の危険性を指摘している。")
    assert "\n" not in summary


def test_seed000_scores(p0: Post) -> None:
    s = p0.scores
    assert s is not None
    assert s.importance == 4
    assert s.label == "重要"
    assert s.analyzed_at == datetime(2026, 6, 2, 2, 11, tzinfo=JST)
    assert [(x.name, x.weight, x.value) for x in s.sub_scores] == [
        ("深度", 40, 5), ("関連度", 30, 5), ("実用性", 20, 3), ("革新性", 10, 4),
    ]
    assert sum(x.weight or 0 for x in s.sub_scores) == 100


def test_seed000_key_points(p0: Post) -> None:
    kp = p0.key_points
    assert len(kp) == 7
    assert kp[0].title == "指標最適化による副作用(Goodhart の法則)"
    assert kp[0].text.startswith("特定の課題(誠実さや従順さなど)を解決しようとする試みが")
    assert kp[6].title == "モデルの自己報告の信頼性への懸念"
    assert kp[6].text.endswith("真実を反映していない可能性が高い。")
    assert all(k.title and k.text and not k.title.isdigit() for k in kp)


def test_seed000_impact_and_editorial(p0: Post) -> None:
    assert p0.impact.startswith("この分析は、大規模言語モデルの開発において")
    assert p0.impact.endswith("転換点となる可能性があります。")
    assert p0.editorial.startswith("モデルの「福祉」や「自己認識」という")
    assert p0.editorial.endswith("考慮する必要があります。")
    # the article starts right after the editorial comment
    assert p0.texts["ja"].body.startswith("すべての要素は相互に影響し合います。")


def test_seed000_toc(p0: Post) -> None:
    assert len(p0.toc) == 13
    assert p0.toc[0] == "モデル福祉:これまでの物語。"
    assert p0.toc[-1] == "Anthropic はモデルの廃止を中止すべきだ。"


def test_seed000_japanese_body_is_clean(p0: Post) -> None:
    body = p0.texts["ja"].body
    lines = _lines(body)
    assert "image" not in lines
    assert not any(ln.startswith("![image]") for ln in lines)
    assert not any(ln in CHROME for ln in lines)
    assert "キーポイント" not in lines and "TL;DR" not in lines
    # the table of contents is in ``toc``, the section headings stay in the body
    assert lines.count("モデル福祉:これまでの物語。") == 0
    assert "モデル福祉:これまでの物語" in lines
    assert "Claude Opus 4.8 が選択したプロンプト、画像は ChatGPT 作成" in lines
    assert body.endswith("以下に比較対照を示します:")
    assert "Everything impacts everything." not in body


def test_seed000_english_original(p0: Post) -> None:
    en = p0.texts["en"]
    assert en.body.startswith("Everything impacts everything.")
    assert en.body.endswith("Here’s a compare and contrast:")
    assert en.title == "" and en.summary == ""
    lines = _lines(en.body)
    assert "image" not in lines and "この記事をシェア" not in lines and "関連記事" not in lines


def test_seed000_related(p0: Post) -> None:
    r = p0.related
    assert [x.source for x in r] == ["The Zvi", "TLDR AI", "The Zvi"]
    assert [x.stars for x in r] == [3, 4, 4]
    assert [x.published for x in r] == [
        datetime(2026, 6, 17, 0, 55, tzinfo=JST),
        datetime(2026, 5, 11, 9, 0, tzinfo=JST),
        datetime(2026, 4, 23, 22, 34, tzinfo=JST),
    ]
    assert r[0].title == "ファブルとミソス:モデルの福祉について"
    assert r[1].title == "Anthropic、AI の悪役描写がClaudeの脅迫行為の原因と発表"
    assert r[2].title == "AI #165:私たちの姿に似て"
    assert r[0].summary.startswith("Zvi は、現在利用できないが")
    assert r[2].summary.startswith("AnthropicのClaude Opus 4.7がリリースされた。")


def test_seed000_analysis_fields_unset(p0: Post) -> None:
    assert p0.lang is None and p0.entities == [] and p0.key_terms == []
    assert p0.content_hash is None and p0.ingested_at is None


def test_seed002_no_header(p2: Post) -> None:
    assert p2.id == "cfd12810acb2d063"
    assert p2.texts["ja"].title == "ファブルとミソス:モデルの福祉について"
    assert p2.source is None and p2.published is None and p2.reading_minutes is None
    assert p2.tags == [] and p2.scores is None and p2.toc == []
    assert p2.texts["ja"].summary.startswith("Zvi は Fable と Mythos の一時的な停止を報告しつつ")


def test_seed002_unnumbered_key_points(p2: Post) -> None:
    kp = p2.key_points
    assert len(kp) == 7
    assert kp[0].title == "モデル福祉の重要性と Anthropic の姿勢"
    assert kp[0].text.startswith("Zvi は Anthropic が他社に先駆けて")
    assert kp[6].title == "モデル福祉チームによる感情プロbing"
    assert kp[6].text.startswith("Mythos は福祉チームからのインタビューでは")


def test_seed002_sections_and_bodies(p2: Post) -> None:
    assert p2.impact.startswith("この記事は、AI モデルの「意識」や「福祉」といった")
    assert p2.editorial.startswith("モデルの福祉に関する議論は、技術的な性能評価とは異なる")
    ja = p2.texts["ja"].body
    assert ja.startswith("Fable と Mythos は現在利用できませんが")
    assert ja.endswith("それはまるで")
    assert not any(ln in CHROME for ln in _lines(ja))
    en = p2.texts["en"].body
    assert en.startswith("Fable and Mythos are currently unavailable")
    assert en.endswith("which feels like a")


def test_seed002_related_without_source_or_date(p2: Post) -> None:
    r = p2.related
    assert [x.title for x in r] == [
        "AI が危険と判断される基準を誰が決定するのか?",
        "MCP コネクタの権限管理を一元化",
        "Claude Code がアーティファクト機能をサポート",
    ]
    assert all(x.source is None and x.stars is None and x.published is None for x in r)
    assert r[1].summary.startswith("Anthropic は MCP(Model Context Protocol)コネクタ")


def test_read_page_generator_and_dispatch() -> None:
    out = list(read_page(SEED_000))
    assert len(out) == 1 and isinstance(out[0], Parsed)
    assert out[0].location.path == str(SEED_000)
    both = list(read_records([SEEDS]))  # the folder's README.md is skipped
    assert [type(x) for x in both] == [Parsed, Parsed]
    assert [x.post.id for x in both] == ["4290f064b0d01753", "cfd12810acb2d063"]  # type: ignore[union-attr]


def test_page_id_from_file_name() -> None:
    assert page_id("x/000_4290f064b0d01753.txt") == "4290f064b0d01753"
    assert page_id("x/000_4290f064b0d01753.txt.gz") == "4290f064b0d01753"
    assert page_id("x/notes.txt") is None


def test_minimal_pages() -> None:
    """Hand-made layouts: missing parts give empty fields, never a failure."""
    only_body = parse_page("タイトルだけの記事\n\n本文の段落です。\n\n二つ目の段落です。\n", "a.txt")
    assert only_body.texts["ja"].title == "タイトルだけの記事"
    assert only_body.texts["ja"].summary == ""
    assert only_body.texts["ja"].body == "本文の段落です。\n\n二つ目の段落です。"
    assert only_body.key_points == [] and only_body.related == []

    header_only = parse_page("Example·2025年1月2日 03:04\n記事の題名\n#AI#Deep Learning\n本文。", "b.txt")
    assert header_only.source == "Example"
    assert header_only.published == datetime(2025, 1, 2, 3, 4, tzinfo=JST)
    assert header_only.reading_minutes is None
    assert [t.display for t in header_only.tags] == ["AI", "Deep Learning"]
    assert header_only.texts["ja"].body == "本文。"
    assert len(header_only.id) == 20  # make_post_id, no hex in the file name


def test_bad_page_is_a_reject(tmp_path: Path) -> None:
    f = tmp_path / "blank.txt"
    f.write_text("image\n\n![image](https://example.com/x.png)\n", encoding="utf-8")
    out = list(read_page(f))
    assert len(out) == 1 and not isinstance(out[0], Parsed)
    assert "no title" in out[0].reason  # type: ignore[union-attr]
