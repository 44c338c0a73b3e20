"""The content words of a piece of query text, for search: what must (or may) match.

A search box gets ``生成AIと著作権について`` or ``why do language models hallucinate``: the
topic is in a few content words and the rest is grammar. Tokens are the indexer's own
(``text.tokenize``); a token is a function word, and needs not match, when its part of speech
is one that carries no topic (particles, auxiliaries, symbols, pronouns, conjunctions, as
kuromoji's ``part_of_speech`` stop tags treat them; English stop words come tagged ``PART``)
or when its norm or base is in ``data/query_function_words_ja.txt`` (light verbs such as the
つい of について, question words). Prefixes and suffixes join the word they belong to
(``著作`` + ``権`` is one word ``著作権``, matched as a phrase of its tokens). A verb with
方 (``見分け方``: how to tell) is the verb itself, matched by its lemma; the stock 〜方 forms of
the intent list (``使い方``) stay whole.

A text made of function words only (``The Who``, ``これ``) keeps all its words: it is what the
user wants to find.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from indexer.analysis.resources import word_heads, word_list
from indexer.analysis.text import tokenize
from indexer.analysis.tokens import Token

FUNCTION_POS = frozenset({"PART", "AUX", "PUNCT", "SYM", "SPACE", "OTHER"})
_NEVER = frozenset({"PUNCT", "SYM", "SPACE"})


@functools.cache
def _function_words() -> frozenset[str]:
    return word_list("query_function_words_ja.txt")


@functools.cache
def _intent_words() -> frozenset[str]:
    return word_list("query_intent_words.txt")


@functools.lru_cache(maxsize=4096)  # a query is compiled twice (api.query.term_stats)
def equivalents(text: str) -> tuple[str, ...]:
    """The Sino-Japanese nouns posts write for a native verb typed in a query (``見分ける`` ->
    ``判別`` ``検出`` ...; ``data/query_equivalents_ja.txt``): when ``text`` is one word whose
    lemma heads a line of that list (or such a verb with 方: 作り方), else nothing."""
    tokens = [t for t in tokenize(text, "ja") if t.pos not in _NEVER]
    content = [t for t in tokens if not _is_function(t)]
    if len(content) == 2 and content[0].pos == "VERB" and content[1].norm == "方":
        content = content[:1]  # 作り方: the verb's
    if len(content) != 1:
        return ()
    table = word_heads("query_equivalents_ja.txt")
    word = content[0]
    return table.get(word.base) or table.get(word.norm) or ()


def is_intent_word(text: str) -> bool:
    """A word that asks for a kind of post (``使い方``, ``比較``, ``tutorial``), not a topic:
    it ranks, but weighs less than the topic words (``data/query_intent_words.txt``)."""
    return unicodedata.normalize("NFKC", text).strip().lower() in _intent_words()


@dataclass(frozen=True, slots=True)
class QueryWord:
    """A content word: ``text[start:end]`` of the analyzed text."""

    text: str
    start: int
    end: int


def _is_function(t: Token) -> bool:
    return t.pos in FUNCTION_POS or t.norm in _function_words() or t.base in _function_words()


def _words(tokens: list[Token], keep: bool) -> list[tuple[list[Token], bool]]:
    """Runs of tokens that form one word: a content token with its affixes (touching it); each
    with whether it is a verb cut from its 方 (``_how_to``)."""
    words: list[tuple[list[Token], bool]] = []
    pending_prefix: list[Token] = []
    prev: Token | None = None
    for t in tokens:
        touching = prev is not None and prev.end == t.start
        if t.pos == "PREFIX":
            pending_prefix = [t]
        elif t.pos == "SUFFIX":
            if words and touching and prev is words[-1][0][-1] and not words[-1][1]:
                if _how_to(words[-1][0], t):
                    words[-1] = (words[-1][0], True)
                else:
                    words[-1][0].append(t)
        elif t.pos in _NEVER or (not keep and _is_function(t)):
            pending_prefix = []
        else:
            head = pending_prefix if pending_prefix and touching else []
            words.append(([*head, t], False))
            pending_prefix = []
        prev = t
    return words


def _how_to(word: list[Token], suffix: Token) -> bool:
    """A verb with 方 that asks how to do it (見分け方): the verb is the topic, matched by its
    lemma (見分ける finds 見分けられる); the stock forms (使い方) stay whole intent words."""
    return (
        suffix.norm == "方"
        and word[-1].pos == "VERB"
        and word[-1].base != word[-1].norm
        and not is_intent_word("".join(x.norm for x in word) + suffix.norm)
    )


def content_words(text: str, fallback: bool = True) -> list[QueryWord]:
    """The content words of ``text`` in order (see the module docstring); with ``fallback``
    every word when there is no content word (the caller decides otherwise, for a longer run)."""
    return list(_content_words(text, fallback))


@functools.lru_cache(maxsize=4096)  # a query is compiled twice (api.query.term_stats)
def _content_words(text: str, fallback: bool) -> tuple[QueryWord, ...]:
    tokens = [t for t in tokenize(text, "ja") if t.pos != "SPACE"]
    words = _words(tokens, keep=False)
    if not words and fallback:
        words = _words(tokens, keep=True)
    return tuple(QueryWord(_text(text, w, cut), w[0].start, w[-1].end) for w, cut in words)


def _text(text: str, word: list[Token], cut: bool) -> str:
    """The word as typed; a verb cut from its 方 (``_how_to``) as its lemma, which the rest of
    the analysis reads as the verb (見分け alone would read as the noun)."""
    if cut:
        return text[word[0].start : word[-1].start] + word[-1].base
    return text[word[0].start : word[-1].end]
