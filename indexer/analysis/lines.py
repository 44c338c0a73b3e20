"""One text's analysis line by line, each line's result memoized by its content.

Tokens, bigram runs, key-term runs and entity windows never cross a line break (tokens
never span whitespace; see ``segment``), so the streams of a text are the space-joined streams
of its lines, and its counts are the sums of theirs. Analysing a line is a pure function of
its characters, which makes it safe to remember: newsletters repeat boilerplate lines in every
issue, re-sent and edited posts repeat most of their paragraphs, and the scaled benchmark
copy repeats every paragraph of the corpus in a new order.

The memo is per process, bounded by an estimate of its size in bytes (``AIPOSTS_ANALYSIS_CACHE_MB``),
least recently used out first. Size 0 turns it off; results are the same either way.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from indexer.analysis.entities import get_recognizer
from indexer.analysis.keyterms import key_term_counts
from indexer.analysis.text import IndexText, fields_from_tokens, tokenize

DEFAULT_CACHE_MB = 64
_ENTRY_OVERHEAD = 400  # bytes of dict slot, tuples and object headers per remembered line


@dataclass(frozen=True, slots=True)
class LineAnalysis:
    tokens: str
    bases: str
    bigrams: str
    terms: tuple[tuple[str, int], ...]
    entities: tuple[tuple[str, int], ...]

    def size(self, line: str) -> int:
        chars = len(line) + len(self.tokens) + len(self.bases) + len(self.bigrams)
        # CJK text is 2 bytes a character in CPython; count every line as if it were
        return 2 * chars + 60 * (len(self.terms) + len(self.entities)) + _ENTRY_OVERHEAD


def analyze_line(line: str, lang: str) -> LineAnalysis:
    """The streams and counts of one line (no line break inside), computed afresh."""
    tokens = tokenize(line, lang)
    fields = fields_from_tokens(tokens, lang, line)
    terms = key_term_counts(tokens, lang)
    entities = get_recognizer().recognize(line, lang)
    return LineAnalysis(
        fields.tokens, fields.bases, fields.bigrams, tuple(terms.items()), tuple(entities.items())
    )


class LineMemo:
    """Least-recently-used memo of ``analyze_line``, bounded by approximate bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._lines: OrderedDict[str, tuple[LineAnalysis, int]] = OrderedDict()

    def get(self, line: str, lang: str) -> LineAnalysis:
        # the language is not part of the key: tokenization follows the script, not ``lang``
        hit = self._lines.get(line)
        if hit is not None:
            self._lines.move_to_end(line)
            self.hits += 1
            return hit[0]
        self.misses += 1
        result = analyze_line(line, lang)
        size = result.size(line)
        if self.max_bytes and size <= self.max_bytes // 8:
            self._lines[line] = (result, size)
            self.bytes += size
            self._evict()
        return result

    def resize(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._evict()

    def _evict(self) -> None:
        """Drop the least recently used lines until the memo fits its bound."""
        while self._lines and self.bytes > self.max_bytes:
            _, (_, old) = self._lines.popitem(last=False)
            self.bytes -= old


_memo = LineMemo(DEFAULT_CACHE_MB * 2**20)


def memo() -> LineMemo:
    return _memo


def set_cache_mb(mb: int) -> None:
    """Bound (or, with 0, turn off) this process's memo."""
    _memo.resize(max(0, mb) * 2**20)


@dataclass(frozen=True, slots=True)
class PassageSpan:
    """Whole lines ``text[start:end]`` of one text, packed up to a size, and their streams."""

    start: int
    end: int
    fields: IndexText


@dataclass
class TextAnalysis:
    fields: IndexText
    terms: Counter[str]
    entities: Counter[str]
    passages: list[PassageSpan] = field(default_factory=list)


class _Packer:
    """Packs consecutive analyzed lines into passages of at most ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.out: list[PassageSpan] = []
        self.start = self.end = 0
        self.streams: tuple[list[str], list[str], list[str]] = ([], [], [])

    def add(self, start: int, end: int, a: LineAnalysis) -> None:
        if (self.streams[0] or self.streams[2]) and end - self.start > self.limit:
            self.flush()
        if not (self.streams[0] or self.streams[2]):
            self.start = start
        self.end = end
        for bucket, stream in zip(self.streams, (a.tokens, a.bases, a.bigrams), strict=True):
            if stream:
                bucket.append(stream)

    def flush(self) -> None:
        tokens, bases, bigrams = self.streams
        if tokens or bigrams:
            fields = IndexText(" ".join(tokens), " ".join(bases), " ".join(bigrams))
            self.out.append(PassageSpan(self.start, self.end, fields))
        self.streams = ([], [], [])


def analyze_text(text: str, lang: str, passage_chars: int = 0) -> TextAnalysis:
    """The index streams, key-term counts and entity counts of ``text``, line by line; with
    ``passage_chars``, also its passages (whole lines packed up to that many characters)."""
    tokens: list[str] = []
    bases: list[str] = []
    bigrams: list[str] = []
    terms: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    packer = _Packer(passage_chars) if passage_chars else None
    offset = 0
    for line in text.split("\n"):
        start = offset
        offset += len(line) + 1
        if not line or line.isspace():
            continue
        a = _memo.get(line, lang)
        if a.tokens:
            tokens.append(a.tokens)
        if a.bases:
            bases.append(a.bases)
        if a.bigrams:
            bigrams.append(a.bigrams)
        for term, n in a.terms:
            terms[term] += n
        for entity, n in a.entities:
            entities[entity] += n
        if packer is not None and (a.tokens or a.bigrams):
            packer.add(start, start + len(line), a)
    passages: list[PassageSpan] = []
    if packer is not None:
        packer.flush()
        passages = packer.out
    fields = IndexText(" ".join(tokens), " ".join(bases), " ".join(bigrams))
    return TextAnalysis(fields, terms, entities, passages)
