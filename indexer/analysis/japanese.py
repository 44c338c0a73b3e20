"""Japanese tokens (fugashi + unidic-lite) and character bigrams.

fugashi only tokenizes kana/kanji runs (``segment``): Latin words and numbers inside Japanese
text reach MeCab as same-length placeholder runs (skipped here) and are tokenized by
``english``, so ``Opus 4.8`` and ``GPT-5.1`` stay whole instead of becoming ``4`` ``.`` ``8``.
Because the view MeCab parses has the original's length, offsets map back directly.
"""

from __future__ import annotations

import functools
import operator
import unicodedata

import fugashi

from indexer.analysis.fasttoken import make_token
from indexer.analysis.normalize import normalize, token_norm
from indexer.analysis.segment import JA_WORD_RE, PLACEHOLDER, iter_chunks
from indexer.analysis.tokens import Token

# UniDic pos1 (and pos2 where it matters) -> the coarse tags of ``Token.pos``.
_POS1 = {
    "名詞": "NOUN",
    "代名詞": "OTHER",  # これ, それ: pronouns are never content words here
    "形状詞": "ADJ",
    "形容詞": "ADJ",
    "連体詞": "OTHER",
    "副詞": "ADV",
    "接続詞": "OTHER",
    "感動詞": "OTHER",
    "動詞": "VERB",
    "助動詞": "AUX",
    "助詞": "PART",
    "接頭辞": "PREFIX",  # attaches to the next word (各社, 新機能)
    "接尾辞": "SUFFIX",  # attaches to the previous word (著作権, 使い方)
    "補助記号": "PUNCT",
    "記号": "SYM",
    "空白": "SPACE",
}
_POS2 = {
    ("名詞", "固有名詞"): "PROPN",
    ("名詞", "数詞"): "NUM",
    ("名詞", "助動詞語幹"): "AUX",
    ("形状詞", "助動詞語幹"): "AUX",
    ("補助記号", "ＡＡ"): "SYM",
}
_VOICED = "\uff9e\uff9f"  # half-width voiced sound marks: they merge into the previous kana
_CACHE_LIMIT = 100_000


@functools.cache
def tagger() -> fugashi.Tagger:
    """One tagger per process (unidic-lite is the default dictionary of fugashi.Tagger)."""
    return fugashi.Tagger()


# One line of MeCab's output (unidic-lite's "unidic" format: surface, pron, lForm, lemma,
# pos1-pos2-..., cType, cForm, aType) -> (surface, tag, norm, base). Parsing the text
# output is several times cheaper than reading fugashi's node objects one property at a time.
_lines: dict[str, tuple[str, str, str, str]] = {}


def _line(line: str) -> tuple[str, str, str, str]:
    hit = _lines.get(line)
    if hit is None:
        if len(_lines) >= _CACHE_LIMIT:
            _lines.clear()
        fields = line.split("\t")
        surface, lemma, pos = fields[0], fields[3], fields[4].split("-")
        tag = _POS2.get((pos[0], pos[1] if len(pos) > 1 else "")) or _POS1.get(pos[0], "OTHER")
        lemma = lemma.split("-", 1)[0] or surface  # モデル-model -> モデル
        norm = token_norm(surface)
        hit = _lines[line] = (surface, tag, norm, norm if lemma == surface else token_norm(lemma))
    return hit


@functools.cache
def _check_format() -> None:
    """Fail loudly if the dictionary's output format is not the one ``_line`` reads."""
    out = tagger().parse("モデル")
    fields = out.split("\n")[0].split("\t")
    if len(fields) < 5 or fields[0] != "モデル" or not fields[3].startswith("モデル"):
        raise RuntimeError(f"unexpected MeCab output format: {out!r}")


def _compose_voiced(view: str) -> tuple[str, list[int] | None]:
    """Join half-width voiced marks to their kana (ｶﾞ -> ガ) for MeCab.

    Returns the text MeCab gets and, when it is shorter, the original index of each of its
    characters (plus one past the end); None means the identity.
    """
    if not any(v in view for v in _VOICED):
        return view, None
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(view):
        if ch in _VOICED and chars:
            mark = "\u3099" if ch == "\uff9e" else "\u309a"
            joined = unicodedata.normalize("NFC", chars[-1] + mark)
            if len(joined) == 1:
                chars[-1] = joined
                continue
        chars.append(ch)
        index.append(i)
    index.append(len(view))
    return "".join(chars), index


def japanese_tokens(original: str, view: str, offset: int = 0) -> list[Token]:
    """Tokens of ``view`` (a chunk's Japanese view, see ``split_scripts``); offsets into the text."""
    _check_format()
    text, index = _compose_voiced(view)
    out: list[Token] = []
    append = out.append
    pos = 0
    find = text.find
    cached = _lines.get
    for line in tagger().parse(text).split("\n"):
        if line == "EOS":
            break
        surface, tag, norm, base = cached(line) or _line(line)
        # only spaces lie between tokens (MeCab skips them), so find() lands exactly
        start = find(surface, pos)
        pos = end = start + len(surface)
        if PLACEHOLDER in surface:  # non-Japanese text: the Latin tokenizer's part
            core = surface.strip(PLACEHOLDER)
            if not core or PLACEHOLDER in core:
                continue
            start += surface.index(core)  # never seen; keep the Japanese part if it happens
            end = start + len(core)
            norm, base = token_norm(core), token_norm(core)
        if tag == "SPACE":
            continue
        if index is not None:
            start, end = index[start], index[end]
            norm = token_norm(original[start:end])
        append(make_token(original[start:end], norm, base, tag, offset + start, offset + end))
    return out


def _bigrams(normalized: str, out: list[str]) -> None:
    for run in JA_WORD_RE.findall(normalized):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(map(operator.add, run, run[1:]))


def ja_bigrams(text: str) -> list[str]:
    """Character bigrams of each kana/kanji run of the normalized text, in order.

    ミソス -> ミソ, ソス; a one-character run gives itself. Phrase queries over these find
    names MeCab splits differently in different contexts.
    """
    out: list[str] = []
    for _, chunk in iter_chunks(text):
        _bigrams(normalize(chunk), out)
    return out


def ja_bigram_text(text: str) -> str:
    """``ja_bigrams`` space-joined, built chunk by chunk so huge texts stay cheap."""
    parts: list[str] = []
    for _, chunk in iter_chunks(text):
        grams: list[str] = []
        _bigrams(normalize(chunk), grams)
        if grams:
            parts.append(" ".join(grams))
    return " ".join(parts)
