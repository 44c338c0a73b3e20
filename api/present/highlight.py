"""Snippets of the ORIGINAL text with the matched terms marked, in the text's own case and script.

Matching happens on ``normalize.fold`` of the text (same length as the text, so an offset
found there is an offset into what the author wrote): a term's tokens, as ``query_terms``
gave them, are looked for in sequence with at most a few separators between them, Latin words
on word boundaries. Lemma matches (``models`` for ``model``) are confirmed with ``tokenize``:
a candidate word is kept only when its base equals one of the query's bases. Entities named by
the query are marked where the recognizer finds their mentions (アンソロピック for Anthropic).

Beside the texts, the key points, impact and editorial sections of aggregator pages are
searched (the indexer indexes them with the page's text), so they are highlighted too.

Snippets are the windows with the most distinct terms, then the most matches; ``html`` is the
snippet HTML-escaped with ``<mark>`` around each match, ``marks`` the same spans as offsets
into ``text``.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from api.query import entities
from api.query.build import PASSAGE_HITS, HighlightTerm
from indexer.analysis import fold, has_japanese, tokenize
from indexer.index import fields as F

FRAGMENT_CHARS = 160
MAX_SNIPPETS = 3
ENTITY_SCAN_CHARS = 60_000  # mentions are looked for in this much of a text at most
ENTITY_HEAD_CHARS = 4_000  # and in this much first: most posts name the entity early
ENTITY_WINDOWS = 12  # windows around the first places that hold an entity's name, read first (0: off)
ENTITY_WINDOW_CHARS = 120  # characters either side of such a place
MAX_MATCHES = 2_000  # per text: enough to pick windows, bounded for huge bodies
SCAN_CHARS = 30_000  # a longer text is scanned past this only when this much holds no match
_EDGE_CONTEXT = 16  # characters read past a scanned span, for a match that runs over its end
FIELDS = ("title", "summary", "body")
_SEP = r"[\W_]{0,3}?"
_LATIN_EDGE = re.compile(r"[0-9A-Za-z]")
_BOUNDARY = re.compile(r"[\s。、．，！？!?;；:：）)」』】\]]")


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: int  # index of the query term (or -1 - entity index for entity mentions)


@dataclass
class Snippet:
    lang: str
    field: str
    text: str
    html: str
    marks: list[tuple[int, int]] = field(default_factory=list)
    truncated_start: bool = False
    truncated_end: bool = False


def _escape_latin(token: str) -> str:
    return re.escape(token)


@dataclass(frozen=True)
class _Pattern:
    """A term's regex; ``latin_start``: the match must not continue a Latin word or number on
    its left. Checked in ``find`` rather than by a lookbehind, which keeps the regex engine from
    its fast scan for the literal start (3x slower on the corpus' 200k-character digests)."""

    regex: re.Pattern[str]
    latin_start: bool

    def find(self, text: str) -> Iterator[re.Match[str]]:
        pos = 0
        while (m := self.regex.search(text, pos)) is not None:
            start = m.start()
            if self.latin_start and start > 0 and _LATIN_EDGE.match(text[start - 1]):
                pos = start + 1  # not a word start: a later one may overlap this candidate
                continue
            yield m
            pos = max(m.end(), start + 1)


def _term_pattern(tokens: tuple[str, ...], prefix_last: bool = False) -> _Pattern | None:
    """Regex for the tokens in sequence on folded text; ``prefix_last`` lets the last word run
    on (``model`` -> ``models``) for lemma candidates, which the tokenizer then confirms."""
    if not tokens:
        return None
    body = _SEP.join(_escape_latin(t) for t in tokens)
    last = tokens[-1]
    if prefix_last:
        if not last.isalpha() or not last.isascii():
            return None
        body += "[A-Za-z]*"
    tail = r"(?![0-9A-Za-z]|\.\d)" if _LATIN_EDGE.match(last[-1]) else ""
    try:
        return _Pattern(re.compile(body + tail, re.IGNORECASE), bool(_LATIN_EDGE.match(tokens[0][0])))
    except re.error:  # pragma: no cover - escaped input always compiles
        return None


@dataclass(frozen=True)
class Focus:
    """The best-scoring passage of a hit: ``text[start:end]`` of one language's field."""

    lang: str
    field: str
    start: int
    end: int


def passage_focus(hit: dict[str, Any]) -> Focus | None:
    """The passage an Elasticsearch hit's ``inner_hits`` name (see ``build.passage_hits``)."""
    inner = (hit.get("inner_hits") or {}).get(PASSAGE_HITS) or {}
    rows = (inner.get("hits") or {}).get("hits") or []
    if not rows:
        return None
    got = rows[0].get("fields") or {}
    try:
        return Focus(
            str(got[F.PASSAGE_LANG][0]),
            str(got[F.PASSAGE_FIELD][0]),
            int(got[F.PASSAGE_START][0]),
            int(got[F.PASSAGE_END][0]),
        )
    except (KeyError, IndexError, TypeError, ValueError):
        return None


@dataclass
class Highlighter:
    terms: list[HighlightTerm]
    entity_ids: list[str] = field(default_factory=list)
    fragment_chars: int = FRAGMENT_CHARS
    max_snippets: int = MAX_SNIPPETS

    def __post_init__(self) -> None:
        self._patterns: list[tuple[int, _Pattern, bool]] = []
        for i, t in enumerate(self.terms):
            exact = _term_pattern(t.tokens)
            if exact is not None:
                self._patterns.append((i, exact, False))
            if t.bases and not any(has_japanese(b) for b in t.bases):
                # lemma variants: the base as a word prefix, confirmed by the tokenizer
                lemma = _term_pattern(_compound_free(t.bases), prefix_last=True)
                if lemma is not None:
                    self._patterns.append((i, lemma, True))
        self._bases = [_compound_free(t.bases) for t in self.terms]

    @property
    def empty(self) -> bool:
        return not self._patterns and not self.entity_ids

    def matches(self, text: str, title: bool, focus: tuple[int, int] | None = None) -> list[Match]:
        """The query's matches in ``text``: in ``focus`` (the passage that ranked the post) when
        it holds any, else in the first ``SCAN_CHARS``, else in the rest, else entity mentions.
        Bounded like Elasticsearch's own highlighters (``max_analyzed_offset``): a 200k-character
        digest that names the term on every page is not scanned to its end."""
        if not text:
            return []
        spans = [focus] if focus is not None else []
        spans += [(0, SCAN_CHARS), (SCAN_CHARS, len(text))] if len(text) > SCAN_CHARS else [(0, len(text))]
        for start, end in spans:
            found = self._scan(text, title, start, end)
            if found:
                return _disjoint(found)
        if not self.entity_ids:
            return []
        # the recognizer is slow on a long text (a digest: 20-30 ms for its first 60k characters,
        # 200 ms for a page of them): the passage that ranked the post first, then the places
        # that hold one of the entities' names, then the head of the text, then the rest
        if focus is not None and (found := self._entity_matches(text, *focus)):
            return _disjoint(found)
        places = self._entity_windows(text) if ENTITY_WINDOWS and len(text) > ENTITY_HEAD_CHARS else None
        if places is not None:
            windows, every = places
            found = [m for start, end in windows for m in self._entity_matches(text, start, end)]
            if found or every:  # every place that may hold a name was read
                return _disjoint(found)
        head = _cut(text, ENTITY_HEAD_CHARS)
        for start, end in ((0, head), (head, ENTITY_SCAN_CHARS)):
            if start < min(end, len(text)) and (found := self._entity_matches(text, start, end)):
                return _disjoint(found)
        return []

    def _entity_windows(self, text: str) -> tuple[list[tuple[int, int]], bool] | None:
        """Windows around the first places in the scanned part of ``text`` that hold one of the
        query entities' names (``entities.anchors``), and whether they are all such places
        (none: no mention there); None when some entity has no list of names."""
        words: list[str] = []
        for entity_id in self.entity_ids:
            found = entities.anchors(entity_id)
            if found is None:
                return None
            words.extend(found)
        lower = fold(text[:ENTITY_SCAN_CHARS]).lower()
        if len(lower) != min(len(text), ENTITY_SCAN_CHARS):
            return None  # a character that lower-cases to two: offsets would shift
        hits: list[int] = []  # each word's first places, one more than read: enough to know
        for word in words:  # whether the first ENTITY_WINDOWS of all are all there are
            i, n = lower.find(word), 0
            while i >= 0 and n <= ENTITY_WINDOWS:
                hits.append(i)
                i, n = lower.find(word, i + len(word)), n + 1
        every = len(hits) <= ENTITY_WINDOWS
        windows: list[list[int]] = []
        for i in sorted(hits)[:ENTITY_WINDOWS]:
            start, end = max(0, i - ENTITY_WINDOW_CHARS), i + ENTITY_WINDOW_CHARS
            space = text.rfind(" ", max(0, start - 40), start)  # edges not inside a word
            start = space + 1 if space >= 0 else start
            space = text.find(" ", end, end + 40)
            end = space if space >= 0 else end
            if windows and start <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], end)
            else:
                windows.append([start, end])
        return [(a, b) for a, b in windows], every

    def _scan(self, text: str, title: bool, start: int, end: int) -> list[Match]:
        """Matches that start in ``text[start:end]`` (read with a little context either side, so
        word edges are judged as in the whole text)."""
        lo, hi = max(0, start - 1), min(len(text), end + _EDGE_CONTEXT)
        folded = fold(text[lo:hi])
        found: list[Match] = []
        for i, pattern, confirm in self._patterns:
            if not title and self.terms[i].title_only:
                continue
            for m in pattern.find(folded):
                s, e = m.start() + lo, m.end() + lo
                if not start <= s < end or (confirm and not self._confirm(text, s, e, i)):
                    continue
                found.append(Match(s, e, i))
                if len(found) >= MAX_MATCHES:
                    break
        return found

    def _confirm(self, text: str, start: int, end: int, term: int) -> bool:
        """The candidate's lemmas are the term's lemmas, in order."""
        words = text[start:end]
        lang = "ja" if has_japanese(words) else "en"
        bases = tuple(t.base for t in tokenize(words, lang) if t.pos not in ("PUNCT", "SYM"))
        return bases == self._bases[term]

    def _entity_matches(self, text: str, start: int, end: int) -> list[Match]:
        """Mentions of the query's entities in ``text[start:end]``, with offsets into ``text``."""
        wanted = {e: k for k, e in enumerate(self.entity_ids)}
        scan = text[start:end]
        lang = "ja" if has_japanese(scan[:2000]) else "en"
        out: list[Match] = []
        try:
            spans = entities.mentions(scan, lang)
        except Exception:  # highlighting must never fail a search
            return out
        for m in spans:
            if m.entity_id in wanted:
                out.append(Match(m.start + start, m.end + start, -1 - wanted[m.entity_id]))
        return out

    # -- snippets ---------------------------------------------------------------------------

    def snippets(self, src: dict[str, Any], focus: Focus | None = None) -> list[Snippet]:
        """Snippets for a post's ``_source`` (its texts and, for pages, the analysis sections).
        With ``focus`` (the passage that ranked the post), that text's snippets come from the
        passage when it holds a match, so a long digest shows the mention that made it rank."""
        out: list[Snippet] = []
        for lang, name, text in text_fields(src):
            here = focus is not None and (lang, name) == (focus.lang, focus.field)
            found = self.matches(text, name == "title", (focus.start, focus.end) if focus and here else None)
            if not found:
                continue
            if name in ("title", "key_points") or len(text) <= self.fragment_chars:
                out.append(_snippet(lang, name, text, 0, len(text), found))
                continue
            for start, end in self.windows(text, found):
                out.append(_snippet(lang, name, text, start, end, found))
        return out

    def windows(self, text: str, found: list[Match]) -> list[tuple[int, int]]:
        """Up to ``max_snippets`` windows, each where the most distinct terms (then matches)
        stand together; ``found`` is sorted and disjoint, so a window's matches are a slice."""
        chosen: list[tuple[int, int]] = []
        remaining = list(found)
        size = self.fragment_chars
        several = len({m.term for m in found}) > 1
        while remaining and len(chosen) < self.max_snippets:
            starts = [m.start for m in remaining]
            ends = [m.end for m in remaining]  # sorted too: the matches are disjoint
            best: tuple[int, int, int] | None = None  # (distinct, count, -start)
            for anchor in remaining[:400]:
                start = max(0, anchor.start - size // 3)
                lo = bisect.bisect_left(starts, start)
                hi = bisect.bisect_right(ends, start + size, lo)
                distinct = len({m.term for m in remaining[lo:hi]}) if several else int(hi > lo)
                score = (distinct, hi - lo, -start)
                if best is None or score > best:
                    best = score
            assert best is not None
            start, end = _snap(text, -best[2], min(len(text), -best[2] + size))
            chosen.append((start, end))
            remaining = [m for m in remaining if m.end <= start or m.start >= end]
        return sorted(chosen)


def text_fields(src: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(lang, field, text) of everything searchable in a post's ``_source``, as written: the
    title, summary and body per language, then an aggregator page's key points, impact and
    editorial sections (in the page's language)."""
    texts = src.get("texts") or {}
    for lang in ("ja", "en"):
        parts = texts.get(lang) or {}
        for name in FIELDS:
            text = parts.get(name) or ""
            if text.strip():
                yield lang, name, text
    extra: list[tuple[str, str]] = []
    for kp in src.get("key_points") or []:
        line = " ".join(x for x in (kp.get("title") or "", kp.get("text") or "") if x)
        if line.strip():
            extra.append(("key_points", line))
    for name in ("impact", "editorial"):
        text = src.get(name) or ""
        if text.strip():
            extra.append((name, text))
    for name, text in extra:
        yield ("ja" if has_japanese(text[:500]) else "en"), name, text


def _compound_free(bases: tuple[str, ...]) -> tuple[str, ...]:
    # ``bases`` lists a compound's parts after it (gpt-5.1 gpt 5.1): keep the leading run
    out: list[str] = []
    for b in bases:
        if out and any(part == b for part in re.split(r"[-_/]+", out[-1])) and re.search(r"[-_/]", out[-1]):
            continue
        out.append(b)
    return tuple(out)


def _disjoint(found: Iterable[Match]) -> list[Match]:
    out: list[Match] = []
    last_end = -1
    for m in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start >= last_end:
            out.append(m)
            last_end = m.end
    return out


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the edges of a window to nearby word or sentence boundaries."""
    if start > 0:
        window = text[start : min(len(text), start + 20)]
        m = _BOUNDARY.search(window)
        if m is not None:
            start = start + m.end()
    if end < len(text):
        back = text[max(start, end - 20) : end]
        cut = max((i for i, ch in enumerate(back) if _BOUNDARY.match(ch)), default=-1)
        if cut >= 0:
            end = max(start + 1, end - len(back) + cut + 1)
    return start, end


def _snippet(lang: str, name: str, text: str, start: int, end: int, found: list[Match]) -> Snippet:
    inside = [m for m in found if m.start >= start and m.end <= end]
    piece = text[start:end]
    lead = piece.lstrip()
    offset = start + (len(piece) - len(lead))
    piece = lead.rstrip()
    marks: list[tuple[int, int]] = []
    pieces: list[str] = []
    cursor = 0
    for m in inside:
        s, e = m.start - offset, m.end - offset
        if s < cursor or e > len(piece):
            continue
        pieces.append(html.escape(piece[cursor:s], quote=False))
        pieces.append("<mark>" + html.escape(piece[s:e], quote=False) + "</mark>")
        marks.append((s, e))
        cursor = e
    pieces.append(html.escape(piece[cursor:], quote=False))
    return Snippet(
        lang=lang,
        field=name,
        text=piece,
        html="".join(pieces),
        marks=marks,
        truncated_start=offset > 0,
        truncated_end=offset + len(piece) < len(text.rstrip()),
    )


def lead_snippet(src: dict[str, Any], chars: int = FRAGMENT_CHARS) -> list[Snippet]:
    """No term to mark (a filter-only query): the start of the summary or the body."""
    texts = src.get("texts") or {}
    for lang in ("ja", "en"):
        parts = texts.get(lang) or {}
        for name in ("summary", "body"):
            text = (parts.get(name) or "").strip()
            if text:
                start, end = _snap(text, 0, min(len(text), chars))
                return [_snippet(lang, name, text, start, end, [])]
    return []


def _cut(text: str, limit: int) -> int:
    """A place at or before ``limit`` where no word or name is cut: the last line break or
    space in its second half (else ``limit``), or the text's end when it is shorter."""
    if len(text) <= limit:
        return len(text)
    at = max(text.rfind("\n", limit // 2, limit), text.rfind(" ", limit // 2, limit))
    return at + 1 if at >= 0 else limit
