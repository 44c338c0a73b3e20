"""English (Latin-script) tokenization: regex tokenizer + spaCy lookup lemmas."""

from __future__ import annotations

import socket

import pytest
import spacy

from indexer.analysis.text import tokenize_en
from indexer.analysis.tokens import Token


def norms(tokens: list[Token]) -> list[str]:
    return [t.norm for t in tokens]


def by_text(tokens: list[Token]) -> dict[str, Token]:
    return {t.text: t for t in tokens}


@pytest.mark.parametrize(
    "text",
    [
        "Anthropic’s models don't run GPT-5.1; see https://example.com/a_(b).",
        "U.S. firms e.g. AT&T use C++ and C#, 1,000 at 10:30 — end.Start",
        "Mixed 生成AIのモデル and ＧＰＴ－５．１\n\ttabs",
        "",
    ],
)
def test_offsets_round_trip(text: str) -> None:
    for t in tokenize_en(text):
        assert text[t.start : t.end] == t.text
        assert t.norm and " " not in t.norm and " " not in t.base


@pytest.mark.parametrize("name", ["GPT-5.1", "o3-mini", "Llama-3.1-70B", "GPT-4o", "C++", "C#"])
def test_model_names_stay_whole(name: str) -> None:
    tokens = tokenize_en(f"We tried {name}, then stopped.")
    assert name in [t.text for t in tokens]


def test_version_after_name() -> None:
    assert norms(tokenize_en("Opus 4.8 is out."))[:2] == ["opus", "4.8"]


def test_hyphenated_compound_is_one_token() -> None:
    tok = by_text(tokenize_en("A state-of-the-art model."))["state-of-the-art"]
    assert tok.norm == tok.base == "state-of-the-art"


def test_lemmas() -> None:
    tokens = by_text(tokenize_en("Models were running; the researchers trained models."))
    assert tokens["Models"].base == "model"  # sentence start, capitalized
    assert tokens["running"].base == "run"
    assert tokens["were"].base == "be"
    assert tokens["researchers"].base == "researcher"


def test_possessive_is_dropped_never_have() -> None:
    for text in ("Anthropic's model", "Anthropic’s model"):
        tokens = tokenize_en(text)
        assert norms(tokens) == ["anthropic", "model"]
        assert all(t.base != "have" for t in tokens)


def test_contraction() -> None:
    tokens = tokenize_en("They don't know.")
    assert norms(tokens)[:3] == ["they", "do", "n't"]
    assert tokens[2].base == "not"


def test_acronym_plural_and_case() -> None:
    tokens = by_text(tokenize_en("Two LLMs in the US."))
    assert tokens["LLMs"].base == "llm"
    assert tokens["US"].base == "us"  # not lemmatized to "we"


def test_pos_heuristic() -> None:
    tokens = by_text(tokenize_en("Yesterday the team met Claude at 4.8 GHz, quickly."))
    assert tokens["the"].pos == "PART"
    assert tokens["4.8"].pos == "NUM"
    assert tokens[","].pos == "PUNCT"
    assert tokens["Claude"].pos == "PROPN"
    assert tokens["team"].pos == "NOUN"
    assert tokens["quickly"].pos == "ADV"


def test_urls_handles_abbreviations() -> None:
    n = norms(tokenize_en("Ask @teknium at https://x.com/a-b?q=1 in the U.S."))
    assert "@teknium" in n
    assert "https://x.com/a-b?q=1" in n
    assert "u.s." in n


def test_lemma_table_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    assert nlp("models")[0].lemma_ == "model"


def test_url_stops_at_emoji_and_punctuation() -> None:
    n = norms(tokenize_en("Links: https://t.co/abc🔗 and (https://x.com/a_b)."))
    assert "https://t.co/abc" in n
    assert "https://x.com/a_b" in n


def test_invisible_format_characters_are_not_tokens() -> None:
    tokens = tokenize_en("AI\u2060\u2060 model 👨\u200d💻")
    assert all(t.norm for t in tokens)
    assert norms(tokens)[:2] == ["ai", "model"]
