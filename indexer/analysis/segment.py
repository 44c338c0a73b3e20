"""Script runs and chunks: which characters go to MeCab, which to the Latin tokenizer, and
where to cut long texts.

Tokenization is driven by script, not by the language of the document: kana/kanji runs go to
fugashi (``japanese``), everything else to the Latin tokenizer (``english``). An English post
quoting 生成AI and a Japanese post naming GPT-5.1 are therefore tokenized exactly like a query
containing the same characters, whatever language the query is detected as.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Characters (of folded text) handed to the Japanese tokenizer: CJK punctuation, kana, kanji,
# and the half-width voiced sound marks that fold leaves alone (they join the previous kana).
_JA_RUN_CLASS = (
    "\u3001-\u303f\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff9e\uff9f\U00020000-\U0002ffff"
)
JA_RUN_RE = re.compile(f"[{_JA_RUN_CLASS}]+")

# Letters of Japanese words (of normalized text) for bigrams: no punctuation, no ・.
_JA_WORD_CLASS = (
    "\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
)
JA_WORD_RE = re.compile(f"[{_JA_WORD_CLASS}]+")

CHUNK_CHARS = 20_000  # per tokenizer call: MeCab's lattice for 100k characters alone takes ~150 MB

_NON_SPACE_RE = re.compile(r"\S")


def has_japanese(text: str) -> bool:
    return JA_RUN_RE.search(text) is not None


# What MeCab sees in place of non-Japanese text: one placeholder per character, so offsets are
# kept and a particle after a Latin word still follows a noun (ClaudeでAI -> で is a particle;
# after blanks, MeCab would read a sentence-initial で as a conjunction and は as a symbol).
# Cyrillic ж: an unknown-word noun to MeCab that starts or ends no UniDic entry.
PLACEHOLDER = "ж"
_NON_JA_RE = re.compile(f"[^\\s{_JA_RUN_CLASS}]+")
# every character str.isspace() knows (all below U+3001) as a plain space MeCab skips
_WHITESPACE = {c: " " for c in range(0x3001) if chr(c).isspace() and c != 0x20}


def _placeholders(m: re.Match[str]) -> str:
    return PLACEHOLDER * (m.end() - m.start())


def split_scripts(folded: str) -> tuple[str | None, str | None]:
    """(Latin view, Japanese view) of ``folded``; both have its length, so offsets carry over.

    The Latin view blanks Japanese runs with spaces (a token never spans a script change:
    GPT日本5 -> GPT, 日本, 5). The Japanese view keeps the runs, turns other whitespace into
    spaces and every other character into ``PLACEHOLDER``. Either view is None when it has
    nothing to tokenize.
    """
    latin: list[str] = []
    last = 0
    for m in JA_RUN_RE.finditer(folded):
        s, e = m.span()
        latin.append(folded[last:s])
        latin.append(" " * (e - s))
        last = e
    if not latin:
        return folded, None
    latin.append(folded[last:])
    latin_view = "".join(latin)
    ja_view = _NON_JA_RE.sub(_placeholders, folded).translate(_WHITESPACE)
    return (latin_view if _NON_SPACE_RE.search(latin_view) else None), ja_view


def iter_chunks(text: str, size: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering ``text``; cuts after a newline, a sentence end or a space.

    Tokens never span whitespace or 。, so cutting there gives the same tokens as no cut.
    Only a piece of ``size`` characters with none of those is cut hard.
    """
    size = size or CHUNK_CHARS  # read at call time so tests can shrink it
    n = len(text)
    start = 0
    while n - start > size:
        end = start + size
        floor = start + size // 2
        cut = text.rfind("\n", floor, end)
        if cut < 0:
            cut = max(text.rfind("。", floor, end), text.rfind(". ", floor, end - 1))
        if cut < 0:
            cut = text.rfind(" ", floor, end)
        if cut < 0:
            cut = end - 1
        yield start, text[start : cut + 1]
        start = cut + 1
    if start < n:
        yield start, text[start:]
