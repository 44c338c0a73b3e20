"""Key terms of a text: its most frequent content words (nouns and names), readable.

Rules (the same for every language, since a Japanese post names GPT-5.1 and an English one
may quote 生成AI):

* only NOUN and PROPN tokens; never stop words (spaCy's English list plus
  ``data/stopwords_en.txt``, and ``data/stopwords_ja.txt``), numbers, URLs, @handles, LaTeX
  and code fragments;
* at least two characters (this drops single kana, single kanji and 1-letter Latin);
* the form shown: Latin plurals use the lemma (models -> model, LLMs -> llm), other Latin
  words their normalized surface (learning stays learning, not learn); Japanese nouns their
  normalized surface, except that long-vowel spelling variants take UniDic's lemma
  (コンピュータ -> コンピューター);
* adjacent Japanese nouns also count as one compound (モデル + 福祉 -> モデル福祉,
  生成 + AI -> 生成ai, ミソ + ス -> ミソス); katakana pieces of at most two characters inside
  such a compound are MeCab fragments (アン|ソロ|ピック) and do not count on their own;
* ranked by count, ties by first occurrence.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from spacy.lang.en.stop_words import STOP_WORDS

from indexer.analysis.resources import word_list
from indexer.analysis.segment import JA_WORD_RE
from indexer.analysis.tokens import CONTENT_POS, Token

MAX_COMPOUND = 4  # nouns joined at most; longer runs are lists, not names
MAX_TERM_CHARS = 40  # longer "words" are hashes, paths or glued markup
_KATAKANA_RE = re.compile(r"[\u30a1-\u30fa\u30fc]+")
# a word character first, then word characters and the joiners of names (c++, c#, node.js)
_TERM_RE = re.compile(r"[^\W_][\w.+#'&/-]*")


@functools.cache
def stop_words() -> frozenset[str]:
    """Every word that is never a key term, all languages, normalized."""
    return frozenset(STOP_WORDS) | word_list("stopwords_en.txt") | word_list("stopwords_ja.txt")


def _is_japanese(term: str) -> bool:
    return JA_WORD_RE.search(term) is not None


def key_form(token: Token) -> str:
    """The form a content token is counted and shown under."""
    return key_form_of(token.norm, token.base)


def key_form_of(norm: str, base: str) -> str:
    if base == norm:
        return norm
    if _is_japanese(norm):
        # only long-vowel spellings are unified: UniDic also maps モルガン to モーガン
        return base if norm.replace("ー", "") == base.replace("ー", "") else norm
    return base if norm.endswith("s") and len(base) < len(norm) else norm


def _term(norm: str, base: str, stops: frozenset[str]) -> str:
    """The key form of a NOUN/PROPN token, or "" when it can never be a key term."""
    term = key_form_of(norm, base)
    if len(term) > MAX_TERM_CHARS or term in stops or norm in stops or base in stops:
        return ""
    if not _TERM_RE.fullmatch(term) or term.startswith("www."):
        return ""  # URLs, @handles, LaTeX like \\sim, code like i(x
    return term if any(c.isalpha() for c in term) else ""  # bare numbers are not terms


# (norm, base) -> _term(); bounded like the tokenizer caches
_terms: dict[tuple[str, str], str] = {}
_CACHE_LIMIT = 100_000


class KeyTermCounter:
    """Counts key terms over a token stream; ``feed`` tokens in order, then ``counts``."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._run: list[tuple[Token, str]] = []  # adjacent content nouns not yet counted
        self._stops = stop_words()

    def feed(self, token: Token) -> None:
        if token.pos not in CONTENT_POS:
            if self._run:
                self._flush()
            return
        key = (token.norm, token.base)
        term = _terms.get(key)
        if term is None:
            if len(_terms) >= _CACHE_LIMIT:
                _terms.clear()
            term = _terms[key] = _term(token.norm, token.base, self._stops)
        if not term:
            if self._run:
                self._flush()
            return
        if self._run and self._run[-1][0].end != token.start:
            self._flush()
        self._run.append((token, term))

    def _flush(self) -> None:
        run = self._run
        if not run:
            return
        self._run = []
        joined = len(run) > 1 and any(_is_japanese(t.norm) for t, _ in run)
        # a run of katakana pieces is one word MeCab did not know (アン+ソロ+ピック): only the
        # whole counts, never its pieces
        one_word = joined and all(_KATAKANA_RE.fullmatch(term) for _, term in run)
        for _, term in run:
            fragment = joined and len(term) <= 2 and _KATAKANA_RE.fullmatch(term)
            if len(term) >= 2 and not fragment and not one_word:
                self._counts[term] += 1
        if joined and len(run) <= MAX_COMPOUND:
            self._counts["".join(t.norm for t, _ in run)] += 1

    def counts(self) -> Counter[str]:
        self._flush()
        return self._counts


def key_term_counts(tokens: Iterable[Token], lang: str) -> Counter[str]:
    """Key term -> occurrences in ``tokens`` (lang "ja"/"en"; the rules do not depend on it)."""
    counter = KeyTermCounter()
    for t in tokens:
        counter.feed(t)
    return counter.counts()


def key_terms(tokens: Iterable[Token], lang: str, limit: int = 30) -> list[str]:
    """The ``limit`` most frequent key terms of ``tokens``, most frequent first."""
    return [term for term, _ in key_term_counts(tokens, lang).most_common(limit)]
