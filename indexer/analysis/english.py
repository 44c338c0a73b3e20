"""Latin-script tokens: a regex tokenizer plus spaCy's English lemma table and stop list.

Everything that is not kana/kanji goes through here, in English and in Japanese documents
alike (see ``segment``). spaCy runs as ``spacy.blank("en")`` with its lookup lemmatizer, which
loads the lemma table from the installed ``spacy-lookups-data`` (nothing is downloaded).

Why not spaCy's tokenizer: it creates a vocabulary entry (~0.1 ms) for every new string and its
affix loop takes milliseconds on long code/JSON chunks; this archive has millions of distinct
strings (URLs, code, handles), and a long-lived process would grow without bound. The regex
below (``_TOKEN_RE``) keeps what we need from it, and more:

* model names and compounds stay whole: GPT-5.1, o3-mini, Llama-3.1-70B, GPT-4o, Opus 4.8
  (two tokens), state-of-the-art, TCP/IP, snake_case, node.js, C++, C#, AT&T, 1,000, 10:30;
  a "." splits only lower.Upper (a missing space after a sentence end);
* URLs, e-mail addresses and @handles are single tokens; U.S., e.g. keep their dots;
* clitics split like spaCy's: don't -> do n't, we're -> we 're; possessive/clitic ``'s`` is
  dropped (Anthropic's -> Anthropic), so it is never lemmatized to "have";
* any other character is a token of its own (a run of one repeated character is one token).

There is no tagger, so parts of speech are a documented heuristic (``_kind``):

* no letters, some digits, or a number word  -> NUM   (4.8, 2023-02-08, 1,000, ten)
* no letters or digits                       -> PUNCT, or SYM for symbols/emoji
* spaCy English stop word                    -> PART  (function words; never key terms)
* capital or digit after the first char, or @handle -> PROPN (GPT-5.1, o3-mini, iPhone, AI)
* Capitalized                                -> PROPN, except at a sentence start when the
                                                lower-case form is a known English word: NOUN
* lower case: ``-ly`` ADV, ``-ed`` with a different lemma VERB, else NOUN
"""

from __future__ import annotations

import functools
import re
import unicodedata

import spacy
from spacy.lang.en.lex_attrs import like_num
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from indexer.analysis.fasttoken import make_token
from indexer.analysis.normalize import token_norm
from indexer.analysis.resources import word_map
from indexer.analysis.tokens import Token

_DROP = "DROP"  # kind of a token that is not emitted at all
_SEP_RE = re.compile(r"([-_/]+)")  # compound separators: parts get lemmatized one by one
_ACRONYM_PLURAL_RE = re.compile(r"[A-Z]{2,}s")  # LLMs, GPUs -> LLM, GPU
_SENTENCE_END = frozenset("\n\r.!?:;。！？…")
_OPENERS = frozenset(" \t\"'([{<«*#>-–—「『【")
_CACHE_LIMIT = 100_000


@functools.cache
def nlp() -> Language:
    """Blank English with the lookup lemmatizer; used for its tables, not to tokenize."""
    pipeline = spacy.blank("en")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()  # loads the table from spacy-lookups-data, offline
    return pipeline


@functools.cache
def _lemma_table() -> dict[str, str]:
    table = nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return table  # type: ignore[return-value]  # a Table is a str-keyed mapping for .get


@functools.cache
def _known_words() -> frozenset[str]:
    """Lower-case words the lemma table knows as lemmas: 'is this a common English word'."""
    return frozenset(v.lower() for v in _lemma_table().values())


def _lemma_word(word: str) -> str:
    low = word.lower()
    fixed = word_map("en_lemma_overrides.txt").get(low)
    if fixed:
        return fixed
    if word.isupper():
        return word  # acronyms are names: US must not become "we", AIDS not "aid"
    if _ACRONYM_PLURAL_RE.fullmatch(word):
        return word[:-1]
    # lower-case fallback keeps bases case-blind: "Models" and "models" both give "model"
    table = _lemma_table()
    return table.get(word) or table.get(low) or word


def lemma(word: str) -> str:
    """Lemma of a folded Latin token; compounds lemmatize each part (large-language-model)."""
    if "://" in word or "@" in word or word.startswith("www."):
        return word  # URLs and addresses are names, not words
    if "-" in word or "_" in word or "/" in word:
        pieces = _SEP_RE.split(word)
        return "".join(p if i % 2 else _lemma_word(p) for i, p in enumerate(pieces))
    return _lemma_word(word)


def _kind(word: str) -> str:
    """Context-free class of a folded token (see the module docstring)."""
    if word in ("'s", "'S"):
        return _DROP
    has_alpha = any(c.isalpha() for c in word)
    if not has_alpha:
        if any(c.isdigit() for c in word):
            return "NUM"
        cats = {unicodedata.category(c)[0] for c in word}
        return "SYM" if "S" in cats or "P" not in cats else "PUNCT"
    low = word.lower()
    if low in STOP_WORDS:
        return "PART"
    if like_num(low):
        return "NUM"
    rest = word[1:]
    if word[0] == "@" or any(c.isupper() or c.isdigit() for c in rest):
        return "PROPN"
    if word[0].isupper():
        return "TITLE_KNOWN" if low in _known_words() or low in _lemma_table() else "PROPN"
    if low.endswith("ly") and len(low) > 4:
        return "ADV"
    if low.endswith("ed") and _lemma_word(low) != low:
        return "VERB"
    return "NOUN"


# folded surface -> (kind, norm, base); bounded so a long-running API process stays small
_cache: dict[str, tuple[str, str, str]] = {}


def _entry(word: str) -> tuple[str, str, str]:
    hit = _cache.get(word)
    if hit is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        norm = token_norm(word)
        kind = _kind(word) if norm else _DROP  # invisible format characters (ZWJ, U+2060)
        base = norm if kind in ("NUM", "PUNCT", "SYM") else token_norm(lemma(word))
        hit = _cache[word] = (kind, norm, base)
    return hit


def _sentence_start(folded: str, idx: int) -> bool:
    j = idx - 1
    while j >= 0 and folded[j] in _OPENERS:
        j -= 1
    return j < 0 or folded[j] in _SENTENCE_END


# URLs: ASCII only (emoji glued to links end them), no quotes/brackets, no trailing punctuation
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]"
_URL_END = r"[A-Za-z0-9\-_~/#@$&*+=%]"
_W = r"[^\W_]"  # a letter or digit of any script (kana/kanji never get here)
_TOKEN_RE = re.compile(
    rf"""
    (?:https?|ftp)://{_URL_CHARS}*{_URL_END}
  | www\.{_URL_CHARS}*{_URL_END}
  | [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+  # e-mail
  | (?:[A-Za-z]\.){{2,}}(?!\w)  # U.S., e.g.
  | (?<!\w)[A-Za-z]\#(?![\w#])  # C#, F#
  | @?{_W}+(?:
        (?:[-_/&']|\.(?![A-Z])|(?<![a-z])\.|(?<=\d)[,:](?=\d)){_W}+
    )*(?:(?<=[A-Za-z])\+\+?(?![\w+]))?  # words, names, numbers; C++
  | (\S)\1*  # anything else: one character, or a run of the same one
    """,
    re.X,
)
_CLITIC_RE = re.compile(r"(?i)(.+?)(n't|'s|'re|'ve|'ll|'d|'m)")
_Pieces = tuple[tuple[int, str], ...]
_words: dict[str, _Pieces] = {}  # word with an apostrophe -> its pieces


def _split_clitic(word: str) -> _Pieces:
    """don't -> do + n't; Anthropic's -> Anthropic + 's (dropped later)."""
    pieces = _words.get(word)
    if pieces is None:
        if len(_words) >= _CACHE_LIMIT:
            _words.clear()
        m = _CLITIC_RE.fullmatch(word)
        if m and m.group(1)[-1].isalnum():
            stem = m.group(1)
            pieces = ((0, stem), (len(stem), m.group(2)))
        else:
            pieces = ((0, word),)
        _words[word] = pieces
    return pieces


def latin_tokens(original: str, folded: str, view: str, offset: int = 0) -> list[Token]:
    """Tokens of ``view`` (``folded`` with Japanese blanked); offsets are into the full text.

    ``original`` and ``folded`` are the same chunk (same length), ``offset`` its position.
    """
    out: list[Token] = []
    append = out.append
    for m in _TOKEN_RE.finditer(view):
        word = m.group()
        idx = m.start()
        pieces = _split_clitic(word) if "'" in word and len(word) > 2 else ((0, word),)
        for rel, piece in pieces:
            kind, norm, base = _entry(piece)
            if kind == _DROP:
                continue
            start = idx + rel
            if kind == "TITLE_KNOWN":
                kind = "NOUN" if _sentence_start(folded, start) else "PROPN"
            end = start + len(piece)
            append(make_token(original[start:end], norm, base, kind, offset + start, offset + end))
    return out

