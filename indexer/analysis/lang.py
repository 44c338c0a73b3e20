"""Language detection by script: the archive holds only Japanese and English.

Japanese AI posts are full of Latin names (Opus 4.8, GPT-5.1), so a text counts as Japanese
as soon as kana/kanji make up a modest share of its letters; kana alone is a strong signal
because Chinese text (which we do not expect) has none.
"""

from __future__ import annotations

import re
from typing import Literal

JA_SHARE = 0.15  # share of kana+kanji among letters above which a text is Japanese


_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]")


def script_counts(text: str, limit: int = 20000) -> tuple[int, int, int]:
    """(kana, kanji, latin letters) in the first ``limit`` characters."""
    head = text[:limit]
    return len(_KANA.findall(head)), len(_KANJI.findall(head)), len(_LATIN.findall(head))


def detect_lang(text: str) -> Literal["ja", "en"] | None:
    """'ja', 'en', or None when the text has no letters of either script."""
    kana, kanji, latin = script_counts(text)
    cjk = kana + kanji
    if cjk == 0 and latin == 0:
        return None
    if cjk and (kana > 0 or kanji >= 2) and cjk / (cjk + latin) >= JA_SHARE:
        return "ja"
    return "en" if latin else "ja"
