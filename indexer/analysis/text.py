"""The one entry point for turning text into tokens and token fields, for index and query.

The indexer and the search API both call these functions, so a query is analyzed exactly
like the documents it is matched against. Elasticsearch only splits the streams built here on
spaces (``whitespace`` analyzer); positions are the order of the tokens in each stream.

Streams of one text:

* ``tokens``: ``norm`` of every token except punctuation, symbols and tokens longer than
  ``MAX_TOKEN_CHARS``.
* ``bases``: ``base`` of the same tokens; a compound (GPT-5.1, o3-mini, state-of-the-art)
  is followed by its parts (``gpt-5.1 gpt 5.1``), so "GPT 5.1" and "state of the art" match
  it as phrases. Positions in ``bases`` therefore differ from ``tokens``: never mix the two
  fields in one phrase query.
* ``bigrams``: character bigrams of the kana/kanji runs (empty when there are none).

Tokenization depends on script, not on ``lang`` (see ``segment``): ``lang`` is accepted so
callers state what they have, and is what a query reports back.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from indexer.analysis.english import latin_tokens
from indexer.analysis.japanese import ja_bigram_text, japanese_tokens
from indexer.analysis.lang import detect_lang
from indexer.analysis.normalize import fold
from indexer.analysis.segment import iter_chunks, split_scripts
from indexer.analysis.tokens import Token

LANGS = ("ja", "en")
UNINDEXED_POS = frozenset({"PUNCT", "SYM"})
MAX_PARTS = 6  # a compound with more parts is a path or an identifier: no parts
# Elasticsearch's whitespace tokenizer cuts tokens at 255 characters (max_token_length);
# longer ones (giant URLs, blobs) are left out of the streams so ES never re-splits ours.
MAX_TOKEN_CHARS = 255

_PART_SEP_RE = re.compile(r"[-_/]+")
_START = operator.attrgetter("start")


@dataclass(frozen=True, slots=True)
class IndexText:
    tokens: str
    bases: str
    bigrams: str = ""


@dataclass(frozen=True, slots=True)
class QueryText:
    lang: str  # detected or given; "en" when the text has no letters at all
    tokens: str
    bases: str
    bigrams: str = ""

    @property
    def empty(self) -> bool:
        return not (self.tokens or self.bigrams)


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}")


def iter_tokens(text: str) -> Iterator[Token]:
    """Tokens of ``text`` in order, chunk by chunk (memory stays bounded for huge texts)."""
    for offset, chunk in iter_chunks(text):
        folded = fold(chunk)
        latin_view, ja_view = split_scripts(folded)
        latin = latin_tokens(chunk, folded, latin_view, offset) if latin_view else []
        if ja_view is None:
            yield from latin
            continue
        ja = japanese_tokens(chunk, ja_view, offset)
        if latin:
            ja.extend(latin)
            ja.sort(key=_START)
        yield from ja


def tokenize(text: str, lang: str) -> list[Token]:
    """All tokens of ``text`` (lang "ja" or "en"), punctuation included, in order."""
    _check(lang)
    return list(iter_tokens(text))


def tokenize_en(text: str) -> list[Token]:
    """``tokenize(text, "en")``: tokens of an English text (kana/kanji inside still go to the
    Japanese tokenizer). Lives here, not in ``english``, which ``text`` imports."""
    return tokenize(text, "en")


def tokenize_ja(text: str) -> list[Token]:
    """``tokenize(text, "ja")``: tokens of a Japanese text, Latin words and numbers kept whole.
    Lives here, not in ``japanese``, which ``text`` imports."""
    return tokenize(text, "ja")


def compound_parts(base: str) -> list[str]:
    """Parts of a compound base (gpt-5.1 -> gpt, 5.1); empty for a plain word or a URL."""
    if "://" in base or "@" in base:
        return []
    parts = [p for p in _PART_SEP_RE.split(base) if p]
    return parts if 1 < len(parts) <= MAX_PARTS else []


def _streams(tokens: Iterable[Token]) -> tuple[str, str]:
    norms: list[str] = []
    bases: list[str] = []
    for t in tokens:
        if t.pos in UNINDEXED_POS or len(t.norm) > MAX_TOKEN_CHARS:
            continue
        norms.append(t.norm)
        bases.append(t.base)
        if t.pos != "NUM" and ("-" in t.base or "_" in t.base or "/" in t.base):
            bases.extend(compound_parts(t.base))
    return " ".join(norms), " ".join(bases)


def fields_from_tokens(tokens: Iterable[Token], lang: str, text: str) -> IndexText:
    """The index streams of ``text`` from its already computed ``tokens``."""
    _check(lang)
    norms, bases = _streams(tokens)
    return IndexText(norms, bases, ja_bigram_text(text))


def index_fields(text: str, lang: str) -> IndexText:
    """The index streams of ``text``, streaming chunk by chunk (no token list is kept)."""
    _check(lang)
    norm_parts: list[str] = []
    base_parts: list[str] = []
    for _, chunk in iter_chunks(text):  # join per chunk: no list of every token at once
        norms, bases = _streams(iter_tokens(chunk))
        if norms:
            norm_parts.append(norms)
        if bases:
            base_parts.append(bases)
    return IndexText(" ".join(norm_parts), " ".join(base_parts), ja_bigram_text(text))


@functools.lru_cache(maxsize=4096)  # a query's pieces are analyzed several times while it compiles
def query_terms(text: str, lang: str | None = None) -> QueryText:
    """The streams of a piece of a user query: exactly ``index_fields`` of the same text.

    A Japanese run without spaces comes out as its token sequence (for a phrase query on the
    token fields) and its bigram sequence (for a phrase query on the bigram fields).
    """
    if lang is None:
        lang = detect_lang(text) or "en"
    fields = index_fields(text, lang)
    return QueryText(lang, fields.tokens, fields.bases, fields.bigrams)
