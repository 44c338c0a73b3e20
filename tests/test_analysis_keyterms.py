"""Key terms: frequent content words, no particles, numbers or stop words."""

from __future__ import annotations

from indexer.analysis.keyterms import key_term_counts, key_terms
from indexer.analysis.text import tokenize


def terms(text: str, lang: str, limit: int = 30) -> list[str]:
    return key_terms(tokenize(text, lang), lang, limit)


def test_japanese_nouns_without_particles_or_numbers() -> None:
    text = "Opus 4.8 パート2:モデルの福祉について。モデルの福祉を研究することのために2025年に。"
    got = terms(text, "ja")
    assert got[:2] == ["モデル", "福祉"]
    for bad in ("の", "に", "を", "について", "こと", "事", "ため", "為", "4.8", "2", "2025", "年"):
        assert bad not in got


def test_japanese_compounds() -> None:
    got = terms("モデル福祉の研究。モデル福祉は大切。生成AIの時代", "ja")
    assert "モデル福祉" in got
    assert "モデル" in got and "福祉" in got
    assert "生成ai" in got


def test_katakana_fragments_are_joined_not_counted() -> None:
    counts = key_term_counts(tokenize("アンソロピックのミソスが話題。", "ja"), "ja")
    assert counts["アンソロピック"] == 1
    assert counts["ミソス"] == 1
    assert "アン" not in counts and "ソロ" not in counts


def test_english_terms() -> None:
    text = (
        "The models of Anthropic's lab: Anthropic trains models. "
        "In 2024 the lab said it would use GPT-5.1 and a new model, e.g. https://x.com."
    )
    got = terms(text, "en")
    assert got[:2] == ["model", "anthropic"]
    assert "gpt-5.1" in got and "lab" in got
    for bad in ("the", "of", "in", "2024", "a", "said", "say", "new", "use", "e.g.", "https://x.com"):
        assert bad not in got
    assert all(len(t) > 1 for t in got)


def test_ranking_and_limit() -> None:
    got = terms("alpha beta beta gamma gamma gamma", "en", limit=2)
    assert got == ["gamma", "beta"]


def test_learning_is_not_learn() -> None:
    assert "learning" in terms("Reinforcement learning is machine learning.", "en")


def test_unknown_katakana_word_counts_whole_not_its_pieces() -> None:
    # MeCab splits アンソロピック into アン+ソロ+ピック; "ピック" alone is no key term of this text
    counts = key_term_counts(tokenize("アンソロピックはモデル福祉について発表した。", "ja"), "ja")
    assert counts["アンソロピック"] == 1
    assert not {"アン", "ソロ", "ピック"} & set(counts)
    assert {"モデル", "福祉", "モデル福祉"} <= set(counts)
