"""The shared entry point: token streams for the index and for queries."""

from __future__ import annotations

import sys
import tracemalloc

import pytest

from indexer.analysis import segment
from indexer.analysis.text import (
    compound_parts,
    fields_from_tokens,
    index_fields,
    query_terms,
    tokenize,
)


def test_tokenization_follows_script_not_lang() -> None:
    text = "Claude Opus 4.8 はモデルの福祉を扱う"
    assert tokenize(text, "ja") == tokenize(text, "en")
    with pytest.raises(ValueError):
        tokenize(text, "fr")


def test_index_fields_japanese() -> None:
    f = index_fields("Opus 4.8 パート2:モデルの福祉について", "ja")
    assert f.tokens == "opus 4.8 パート 2 モデル の 福祉 に つい て"
    assert f.bases == "opus 4.8 パート 2 モデル の 福祉 に つく て"
    assert f.bigrams.split()[:3] == ["パー", "ート", "モデ"]


def test_index_fields_english_compounds_and_parts() -> None:
    f = index_fields("Anthropic's GPT-5.1 is state-of-the-art.", "en")
    assert f.tokens == "anthropic gpt-5.1 is state-of-the-art"
    assert f.bases == "anthropic gpt-5.1 gpt 5.1 be state-of-the-art state of the art"
    assert f.bigrams == ""


def test_compound_parts() -> None:
    assert compound_parts("llama-3.1-70b") == ["llama", "3.1", "70b"]
    assert compound_parts("model") == []
    assert compound_parts("https://x.com/a-b") == []


def test_full_width_and_ascii_give_the_same_streams() -> None:
    assert index_fields("ＧＰＴ－５．１を試す", "ja") == index_fields("GPT-5.1を試す", "ja")


def test_no_token_contains_whitespace() -> None:
    f = index_fields("a\u00a8b tab\there\u3000全角　スペース\nnew line", "ja")
    for stream in (f.tokens, f.bases, f.bigrams):
        assert all(tok and tok.strip() == tok for tok in stream.split(" ") if stream)
        assert "  " not in stream and "\t" not in stream and "\n" not in stream


def test_fields_from_tokens_equals_index_fields() -> None:
    text = "生成AIのミソスについて。Anthropic's models run GPT-5.1.\n" * 3
    assert fields_from_tokens(tokenize(text, "ja"), "ja", text) == index_fields(text, "ja")


@pytest.mark.parametrize("text", ["モデルの福祉", "ミソス", "アンソロピックのミソスは生成AIです"])
def test_query_of_a_japanese_run_equals_its_index_fields(text: str) -> None:
    q = query_terms(text)
    f = index_fields(text, "ja")
    assert q.lang == "ja"
    assert (q.tokens, q.bases, q.bigrams) == (f.tokens, f.bases, f.bigrams)
    assert q.bigrams  # phrase on the bigram field
    assert len(q.tokens.split()) >= 1


def test_query_lang_detection_and_empty() -> None:
    assert query_terms("state of the art").lang == "en"
    assert query_terms("GPT-5.1", "ja").tokens == "gpt-5.1"
    q = query_terms("!!! ...")
    assert q.empty and q.tokens == ""


def test_large_text_has_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """index_fields streams chunk by chunk: no per-token objects outlive their chunk.

    Chunks are shrunk to 10k characters so a 0.13M-character text spans 13 of them; the peak
    must then be the output strings plus one chunk's work, far below one Token per token.
    """
    monkeypatch.setattr(segment, "CHUNK_CHARS", 10_000)
    ja = "Opus 4.8 はモデルの福祉について考える。GPT-5.1 も登場し、生成AIの議論が続く。\n"
    en = "Anthropic's models run GPT-5.1 and Llama-3.1-70B at state-of-the-art speed.\n"
    text = (ja * 7 + en * 3) * 220  # ~0.13M characters, mixed scripts
    index_fields(text[:20_000], "ja")  # warm the caches outside the measurement
    tracemalloc.start()
    try:
        fields = index_fields(text, "ja")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    n_tokens = len(fields.tokens.split())
    output = sum(sys.getsizeof(s) for s in (fields.tokens, fields.bases, fields.bigrams))
    assert n_tokens > 30_000
    assert peak < 3 * output + 4_000_000, (peak, output)
    assert peak < 60 * n_tokens  # a Token object alone is over 100 bytes


def test_fast_token_factory_builds_equal_tokens() -> None:
    from indexer.analysis.fasttoken import make_token
    from indexer.analysis.tokens import Token

    made = make_token("GPT-5.1", "gpt-5.1", "gpt-5.1", "PROPN", 3, 10)
    plain = Token("GPT-5.1", "gpt-5.1", "gpt-5.1", "PROPN", 3, 10)
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)


def test_tokens_longer_than_elasticsearch_limit_are_left_out() -> None:
    url = "https://example.com/" + "a" * 300
    f = index_fields(f"see {url} now", "en")
    assert f.tokens == "see now"
    assert all(len(t) <= 255 for t in f.bases.split())
