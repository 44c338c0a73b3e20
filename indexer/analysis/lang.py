"""Language detection by script: the archive holds only Japanese and English.

Japanese AI posts are full of Latin names (Opus 4.8, GPT-5.1), so a text counts as Japanese
as soon as kana/kanji make up a modest share of its letters; kana alone is a strong signal
because Chinese text (which we do not expect) has none.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

JA_SHARE = 0.15  # share of kana+kanji among letters above which a text is Japanese


def _is_kana(ch: str) -> bool:
    o = ord(ch)
    return 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F


def _is_kanji(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF


def script_counts(text: str, limit: int = 20000) -> tuple[int, int, int]:
    """(kana, kanji, latin letters) in the first ``limit`` characters."""
    kana = kanji = latin = 0
    for ch in text[:limit]:
        if _is_kana(ch):
            kana += 1
        elif _is_kanji(ch):
            kanji += 1
        elif ch.isalpha() and unicodedata.name(ch, "").startswith(("LATIN", "FULLWIDTH LATIN")):
            latin += 1
    return kana, kanji, latin


def detect_lang(text: str) -> Literal["ja", "en"] | None:
    """'ja', 'en', or None when the text has no letters of either script."""
    kana, kanji, latin = script_counts(text)
    cjk = kana + kanji
    if cjk == 0 and latin == 0:
        return None
    if cjk and (kana > 0 or kanji >= 2) and cjk / (cjk + latin) >= JA_SHARE:
        return "ja"
    return "en" if latin else "ja"
