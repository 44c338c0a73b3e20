"""Latin-script tokens: spaCy's rule-based English tokenizer plus lookup lemmas.

Everything that is not kana/kanji goes through here, in English and in Japanese documents
alike (see ``segment``). spaCy runs as ``spacy.blank("en")``; its lookup lemmatizer is only
used to load the lemma table from the installed ``spacy-lookups-data`` (nothing is downloaded).
There is no tagger, so parts of speech are a documented heuristic (``_kind``):

* no letters, some digits, or a number word  -> NUM   (4.8, 2023-02-08, 1,000, ten)
* no letters or digits                       -> PUNCT, or SYM for symbols/emoji
* spaCy English stop word                    -> PART  (function words; never key terms)
* capital or digit after the first char      -> PROPN (GPT-5.1, o3-mini, iPhone, AI)
* Capitalized                                -> PROPN, except at a sentence start when the
                                                lower-case form is a known English word: NOUN
* lower case: ``-ly`` ADV, ``-ed`` with a different lemma VERB, else NOUN

Tokenizer changes, so model names and compounds stay whole (both here and inside Japanese):
a hyphen between letters/digits no longer splits (GPT-5.1, o3-mini, Llama-3.1-70B,
state-of-the-art, 2019-2020), nor does a slash (TCP/IP, A/B). En/em dashes still split.
Possessive/contraction ``'s`` is dropped: ``Anthropic's`` gives just ``Anthropic``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import spacy
from spacy.lang.en.lex_attrs import like_num
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import compile_infix_regex

from indexer.analysis.normalize import token_norm
from indexer.analysis.resources import word_map
from indexer.analysis.tokens import Token

# Infix fragments of spaCy 3.8's English defaults we drop (asserted, so an upgrade that
# changes them fails loudly instead of silently splitting GPT-5.1 again).
_INFIX_EDITS = (
    (r"[+\-\*^](?=[0-9-])", r"[+\*^](?=[0-9])"),  # digit-digit: keep 3.1-70B, 2019-2020
    (r"(?:-|–", r"(?:–"),  # letter-letter: keep state-of-the-art, o3-mini
    (r"[:<>=/]", r"[:<>=]"),  # letter/letter: keep TCP/IP
)
_SPECIAL = ("C#", "c#", "F#", "f#")  # "#" is a suffix otherwise

_DROP = "DROP"  # kind of a token that is not emitted at all
_SEP_RE = re.compile(r"([-_/]+)")  # compound separators: parts get lemmatized one by one
_ACRONYM_PLURAL_RE = re.compile(r"[A-Z]{2,}s")  # LLMs, GPUs -> LLM, GPU
_SENTENCE_END = frozenset("\n\r.!?:;。！？…")
_OPENERS = frozenset(" \t\"'([{<«*#>-–—「『【")
_CACHE_LIMIT = 300_000


@functools.cache
def nlp() -> Language:
    """The process-wide pipeline: blank English, tuned tokenizer, lookup lemmatizer."""
    pipeline = spacy.blank("en")
    infixes = list(pipeline.Defaults.infixes)
    for old, new in _INFIX_EDITS:
        hits = [i for i, rule in enumerate(infixes) if old in rule]
        if len(hits) != 1:
            raise RuntimeError(f"spaCy infix rules changed; cannot apply {old!r}")
        infixes[hits[0]] = infixes[hits[0]].replace(old, new)
    pipeline.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    for s in _SPECIAL:
        pipeline.tokenizer.add_special_case(s, [{ORTH: s}])
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


def is_stop(word: str) -> bool:
    """spaCy's English stop list (case-insensitive)."""
    return word.lower() in STOP_WORDS


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
    if any(c.isupper() or c.isdigit() for c in rest):
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
        kind = _kind(word)
        norm = token_norm(word)
        base = norm if kind in ("NUM", "PUNCT", "SYM") else token_norm(lemma(word))
        hit = _cache[word] = (kind, norm, base)
    return hit


def _sentence_start(folded: str, idx: int) -> bool:
    j = idx - 1
    while j >= 0 and folded[j] in _OPENERS:
        j -= 1
    return j < 0 or folded[j] in _SENTENCE_END


def latin_tokens(original: str, folded: str, view: str, offset: int = 0) -> list[Token]:
    """Tokens of ``view`` (``folded`` with Japanese blanked); offsets are into the full text.

    ``original`` and ``folded`` are the same chunk (same length), ``offset`` its position.
    """
    out: list[Token] = []
    for t in nlp().tokenizer(view):
        word = t.text
        if word.isspace():
            continue
        kind, norm, base = _entry(word)
        if kind == _DROP:
            continue
        idx = t.idx
        if kind == "TITLE_KNOWN":
            kind = "NOUN" if _sentence_start(folded, idx) else "PROPN"
        end = idx + len(word)
        out.append(Token(original[idx:end], norm, base, kind, offset + idx, offset + end))
    return out


def tokenize_en(text: str) -> list[Token]:
    """Tokens of an English text; any kana/kanji inside go to the Japanese tokenizer."""
    from indexer.analysis.text import tokenize  # text drives both tokenizers

    return tokenize(text, "en")
