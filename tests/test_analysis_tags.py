"""Tag keys and display forms."""

from __future__ import annotations

import pytest

from indexer.analysis.tags import raw_tag_key, synonyms, synonyms_version, tag_display, tag_key


@pytest.mark.parametrize(
    "variant",
    [
        "#Model Welfare",
        "model welfare",
        "Model-Welfare",
        "model_welfare",
        "ＭＯＤＥＬ　ＷＥＬＦＡＲＥ",
        "  ＃model -- welfare  ",
    ],
)
def test_variants_share_one_key(variant: str) -> None:
    assert tag_key(variant) == "model-welfare"


def test_japanese_tags_keep_their_characters() -> None:
    assert tag_key("アジャイル開発") == "アジャイル開発"
    assert tag_key("モデル　福祉") == "モデル-福祉"
    assert tag_key("2024年") == "2024年"


def test_other_characters_are_kept() -> None:
    assert tag_key("CI/CD") == "ci/cd"
    assert tag_key("C++") == "c++"
    assert tag_key("OpenAI") == "openai"  # CamelCase is not split


def test_empty_tag() -> None:
    assert tag_key("#") == ""
    assert tag_key("  - _ ") == ""


def test_synonyms() -> None:
    assert tag_key("LLMs") == tag_key("Large Language Models") == tag_key("llm") == "llm"
    assert tag_key("生成AI") == tag_key("GenAI") == "generative-ai"
    assert raw_tag_key("生成AI") == "生成ai"
    assert tag_key("LLMs", use_synonyms=False) == "llms"


def test_synonyms_file_is_consistent() -> None:
    table = synonyms()
    assert isinstance(synonyms_version(), int)
    assert not set(table) & set(table.values())
    assert all(k == raw_tag_key(k) and v == raw_tag_key(v) for k, v in table.items())


def test_display() -> None:
    assert tag_display("  #Model   Welfare ") == "Model Welfare"
    assert tag_display("＃生成AI") == "生成AI"
