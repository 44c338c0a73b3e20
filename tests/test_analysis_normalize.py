"""normalize/fold: the indexed form of a token and the length-preserving segmentation view."""

from __future__ import annotations

import pytest

from indexer.analysis.normalize import fold, normalize, token_norm


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＧＰＴ－５．１", "gpt-5.1"),
        ("GPT-5.1", "gpt-5.1"),
        ("GPT‐5.1", "gpt-5.1"),  # U+2010 hyphen
        ("Anthropic’s", "anthropic's"),
        ("“quoted”", '"quoted"'),
        ("a—b–c", "a-b-c"),
        ("ｶﾞｲﾄﾞ", "ガイド"),  # half-width katakana with voiced marks
        ("モデル　福祉", "モデル 福祉"),  # ideographic space
        ("Straße", "strasse"),
        ("ＡＩ", "ai"),
        ("soft\u00adhyphen", "softhyphen"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_katakana_prolonged_mark_is_not_a_dash() -> None:
    assert normalize("コンピューター") == "コンピューター"


@pytest.mark.parametrize(
    "raw",
    ["ＧＰＴ－５．１とｶﾞｲﾄﾞ", "“x” ‘y’ a\u00a0b\u200bc\u3000d", "plain ascii", "絵文字🤖と①②"],
)
def test_fold_keeps_length_and_commutes_with_normalize(raw: str) -> None:
    folded = fold(raw)
    assert len(folded) == len(raw)
    assert normalize(folded) == normalize(raw)


def test_fold_maps_widths_spaces_quotes() -> None:
    assert fold("ＧＰＴ－５　Ａ’s") == "GPT-5 A's"


def test_token_norm_has_no_whitespace() -> None:
    assert " " not in token_norm("a\u00a8")  # NFKC turns U+00A8 into space + mark
    assert token_norm("Claude") == "claude"
