"""Japanese tokenization with the real fugashi + unidic-lite."""

from __future__ import annotations

import pytest

from indexer.analysis.japanese import ja_bigrams
from indexer.analysis.text import tokenize_ja
from indexer.analysis.tokens import Token

MIXED = [
    "Opus 4.8 パート2:モデルの福祉について",
    "GPT-5.1とo3-mini、Llama-3.1-70Bを比較した。Claude Codeで RL を試す",
    "ＧＰＴ－５．１を使う　全角スペース\n改行\tタブ",
    "ｶﾞｲﾄﾞを読む｡ﾃｽﾄ",
    "絵文字🤖も①も、「引用」も（括弧）も",
    "Anthropic’sのミソス",
    "",
    "   ",
]


def norms(tokens: list[Token]) -> list[str]:
    return [t.norm for t in tokens]


@pytest.mark.parametrize("text", MIXED)
def test_offsets_round_trip(text: str) -> None:
    tokens = tokenize_ja(text)
    for t in tokens:
        assert text[t.start : t.end] == t.text
        assert t.norm and " " not in t.norm and " " not in t.base
    starts = [t.start for t in tokens]
    assert starts == sorted(starts)


def test_version_numbers_stay_whole() -> None:
    tokens = tokenize_ja("Opus 4.8 パート2:モデルの福祉について")
    n = norms(tokens)
    assert n[:2] == ["opus", "4.8"]
    assert "4" not in n and "8" not in n
    by_norm = {t.norm: t for t in tokens}
    assert by_norm["4.8"].pos == "NUM"
    assert by_norm["モデル"].pos == "NOUN"
    assert by_norm["福祉"].pos == "NOUN"
    assert by_norm["の"].pos == "PART"
    assert by_norm[":"].pos == "PUNCT"


def test_model_names_stay_whole() -> None:
    n = norms(tokenize_ja("GPT-5.1とo3-mini、Llama-3.1-70BとGPT-4oをClaude Codeで比較"))
    for name in ("gpt-5.1", "o3-mini", "llama-3.1-70b", "gpt-4o", "claude", "code"):
        assert name in n
    assert "gpt" not in n and "-" not in n and "5" not in n


def test_full_width_latin_normalizes_like_ascii() -> None:
    wide = tokenize_ja("ＧＰＴ－５．１を使う")
    assert wide[0].text == "ＧＰＴ－５．１"
    assert wide[0].norm == "gpt-5.1"
    assert norms(wide) == norms(tokenize_ja("GPT-5.1を使う"))


def test_bases_are_lemmas_without_glosses() -> None:
    tokens = tokenize_ja("モデルを使った")
    base = {t.text: t.base for t in tokens}
    assert base["モデル"] == "モデル"  # UniDic lemma is モデル-model
    assert base["使っ"] == "使う"


def test_half_width_katakana() -> None:
    tokens = tokenize_ja("ｶﾞｲﾄﾞを読む")
    assert tokens[0].text == "ｶﾞｲﾄﾞ"
    assert tokens[0].norm == "ガイド"
    assert tokens[1].norm == "を"


def test_possessive_dropped_inside_japanese() -> None:
    assert norms(tokenize_ja("Anthropic’sのモデル"))[:2] == ["anthropic", "の"]


def test_bigrams() -> None:
    assert ja_bigrams("ミソス") == ["ミソ", "ソス"]
    assert ja_bigrams("は") == ["は"]
    # punctuation and Latin break runs; half-width kana are normalized first
    assert ja_bigrams("ミソス、AIです") == ["ミソ", "ソス", "です"]
    assert ja_bigrams("ｶﾞｲﾄﾞ") == ["ガイ", "イド"]
    assert ja_bigrams("GPT-5.1") == []


def test_long_text_is_chunked_with_correct_offsets() -> None:
    line = "Opus 4.8 はモデルの福祉について考える。GPT-5.1も登場した。\n"
    text = line * 6000  # ~250k characters: several tokenizer chunks
    tokens = tokenize_ja(text)
    per_line = tokenize_ja(line)
    assert len(tokens) == len(per_line) * 6000
    for t in tokens[:: len(per_line) * 97]:
        assert text[t.start : t.end] == t.text
    last = tokens[-len(per_line) :]
    shift = len(line) * 5999
    assert [(t.norm, t.start - shift) for t in last] == [(t.norm, t.start) for t in per_line]


def test_particles_after_latin_words_keep_their_context() -> None:
    tokens = tokenize_ja("OpenAIはChatGPTを発表。ClaudeでAIを使う")
    pos = {(t.text, t.start): t.pos for t in tokens}
    assert pos[("は", 6)] == "PART"  # not a symbol: MeCab sees a noun before it
    assert pos[("で", 24)] == "PART"  # not a conjunction
    assert [t.norm for t in tokens if t.pos == "PROPN"] == ["openai", "chatgpt", "claude", "ai"]


def test_cyrillic_text_is_not_lost() -> None:
    # the Japanese view uses ж as its placeholder; real Cyrillic goes to the Latin tokenizer
    assert [t.norm for t in tokenize_ja("жизнь と ж")] == ["жизнь", "と", "ж"]
