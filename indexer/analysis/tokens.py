"""The token every analyzer returns, so index and query code speak one type."""

from __future__ import annotations

from dataclasses import dataclass

# Coarse parts of speech shared by the Japanese and English analyzers.
CONTENT_POS = frozenset({"NOUN", "PROPN"})


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # surface exactly as written in the original text (for highlighting)
    norm: str  # normalized surface: NFKC, case-folded, widths unified
    base: str  # normalized base form / lemma
    pos: str  # NOUN, PROPN, VERB, ADJ, ADV, NUM, SYM, PUNCT, PART, AUX, PREFIX, SUFFIX, OTHER
    start: int  # character offset of ``text`` in the original string
    end: int
