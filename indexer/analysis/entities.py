"""AI entity recognition in Japanese and English text, with spaCy as the matching engine.

How a text is matched (one pass, both scripts alike):

1. ``prepare`` folds the text without changing its length (full-width Latin, half-width
   katakana, quotes, hyphen look-alikes), so every offset points into the original string.
2. A prefilter finds the places where a name may be: every alias and version form has a
   trigger (its rarest-looking chunk: ``claude``, ``altman``, ``r1``, a katakana run), found
   by one C-speed split of the text into words plus substring tests for the rest. Only a
   window around each trigger is analysed further, so long texts cost little more than a scan.
3. The windows are cut into atoms (see ``entities_kb``: letter runs, numbers, single kana/kanji,
   separators dropped) and become one spaCy ``Doc``. Atoms that occur in no pattern are
   collapsed into a placeholder token, so the vocabulary stays bounded while the corpus streams
   through and a name never matches across unrelated words.
4. Two ``PhraseMatcher`` find the patterns: ``LOWER`` for ordinary aliases, ``ORTH`` for
   aliases that are also common words (``cased`` in the knowledge base). Version forms are
   matched by their prefix (``Claude Opus``, ``GPT``, ``Kimi K``); the version and an optional
   tier are read from the atoms that follow (``Opus 4.9``, ``GPT-5.3``, ``Gemini 3.5 Pro``),
   and become their own entities even when the knowledge base does not list them.
5. Each candidate is checked against its context (katakana aliases never match inside a longer
   katakana word, so ミソス is not found in ミソスープ; ``strict`` aliases also refuse kanji and
   ・-compounds around them), then the longest non-overlapping candidates win: ``Claude Opus
   4.8`` is one mention of ``claude-opus-4.8``, not also ``claude`` and ``claude-opus``.
   Blockers (``Claude Shannon``) win like aliases and are dropped.

Parents are never added as mentions; the knowledge base (``entities_kb``) answers every
lookup (``describe``, ``ancestors``, ``children``, ...): this module only finds names.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from indexer.analysis.entities_kb import (
    ATOM_RE,
    ATOM_SPLIT_RE,
    AliasSpec,
    FormSpec,
    KnowledgeBase,
    VersionRule,
    load_kb,
    prepare,
)

__all__ = [
    "EntityRecognizer",
    "Mention",
    "get_recognizer",
    "match_query",
]

PLACEHOLDER = "\u2063"  # a token that is in no alias: unknown atoms and window breaks
_SIZE_UNITS = frozenset({"b", "m", "k", "t", "x", "bn", "gb", "tb"})  # "Gemma 2b" is a size
_WORD_CACHE_LIMIT = 200_000
_WINDOW_GAP = 48  # windows closer than this are analysed as one
_WORD_RE = re.compile(r"[a-z\u00c0-\u024f]+")
_WORD_SPLIT_RE = re.compile(r"([a-z\u00c0-\u024f]+)")
_CJK_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]+")
_LATIN_ALNUM = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isalpha())
)
_LATIN_LETTERS = frozenset(c for c in _LATIN_ALNUM if not c.isdigit())
_DIGITS = frozenset("0123456789")
# words too common to trigger the prefilter when a pattern has a rarer chunk
_COMMON_WORDS = frozenset({
    "ai", "llm", "lab", "labs", "research", "reasoning", "learning", "model", "models", "open",
    "code", "chat", "agent", "agents", "image", "studio", "advanced", "prompt", "prompting",
    "platform", "platforms", "understanding", "analysis", "thinking", "technology", "scale",
    "math", "data", "cloud", "search", "deep", "big", "international", "massive", "safe",
    "physical", "artificial", "language", "intelligence", "institute", "protocol", "context",
    "world", "machine", "network", "group", "robotics", "bench", "exam", "last", "project",
    "app", "store", "web", "services", "the", "for", "of", "in", "at", "and", "to", "on",
    "with", "by", "inc", "corp", "jp", "anything", "enterprise", "team", "plus", "pro",
})
_URL_RES = (  # separate literal starts let ``re`` skip ahead fast; run on lower-cased text
    re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff08\uff09]+"),
    re.compile(r"www\.[^\s<>\"'\u3000-\u303f\uff08\uff09]+"),
)
_RUN_END_RE = re.compile(r"[0-9A-Za-z.\u00c0-\u024f\u30a1-\u30fa\u30fc-\u30fe]*")
# kanji that may touch a strict alias: country prefixes before (米メタ), suffixes after (メタ社)
_STRICT_PREV_OK = frozenset("米中英仏独日韓台印露欧豪加")
_STRICT_NEXT_OK = frozenset("社氏製系版株傘幹側陣等流")


def _is_kata(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or "\u30fc" <= ch <= "\u30fe" or "\u31f0" <= ch <= "\u31ff"


def _is_kanji(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
            or ch == "\u3005")


def _is_cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or _is_kanji(ch)


@dataclass(frozen=True, slots=True)
class Mention:
    entity_id: str
    start: int  # character offsets into the original text
    end: int
    text: str


@dataclass(slots=True)
class _Atoms:
    """The atoms of the analysed windows, aligned with the tokens of the spaCy Doc."""

    words: list[str]  # token text given to spaCy (placeholder for unknown atoms)
    raw: list[str]  # the (first) atom as written
    starts: list[int]
    ends: list[int]


class EntityRecognizer:
    """Finds knowledge-base and version-rule entities in text. Build one per process
    (``get_recognizer``): the matchers take about a second to build. Recognition only reads
    shared state (plus a small atom cache), so threads may share an instance."""

    def __init__(self, kb: KnowledgeBase | None = None):
        self.kb = kb or load_kb()
        self.nlp = spacy.blank("en")  # its vocabulary (lexeme attributes) backs every Doc
        self.vocab = self.nlp.vocab
        self._alias_by_key: dict[int, AliasSpec] = {}
        self._form_by_key: dict[int, FormSpec] = {}
        self._ci_atoms: set[str] = set()  # lower-cased atoms of case-insensitive patterns
        self._cased_atoms: set[str] = set()  # atoms of cased patterns, as written
        self._query_atoms: set[str] = set()  # every letter atom lower-cased (query mode)
        self._numbers: set[str] = {str(i) for i in range(10)}
        for major in range(1, 10):
            for minor in range(100):
                self._numbers.add(f"{major}.{minor}")
                if minor < 10:
                    self._numbers.add(f"{major}.0{minor}")
        self._collect_atoms()
        for w in (*self._query_atoms, *self._cased_atoms, *self._numbers, PLACEHOLDER):
            self.vocab.strings.add(w)
            self.vocab[w]  # create the lexeme now, not while matching
        self._text_matchers = self._build_matchers(query=False)
        self._query_matchers: tuple[PhraseMatcher, PhraseMatcher | None] | None = None
        self._lock = threading.Lock()
        self._text_words: dict[str, str] = {}  # atom -> Doc word (a cache; reset when large)
        self._query_words: dict[str, str] = {}
        self._trigger_kind, self._extents = self._build_prefilter()
        by_kind: dict[str, list[str]] = {}
        for k, kind in self._trigger_kind.items():
            by_kind.setdefault(kind, []).append(k)
        self._word_triggers = frozenset(by_kind.get("word", ()))
        self._chunk_triggers = tuple(by_kind.get("chunk", []))
        self._cjk_by_bigram: dict[str, list[str]] = {}  # first two characters -> triggers
        for k in by_kind.get("cjk", []):
            self._cjk_by_bigram.setdefault(k[:2], []).append(k)
        ver = by_kind.get("ver", [])
        self._ver_re = re.compile(f"(?:{_trie(set(ver))})(?=[0-9])") if ver else None

    # -- construction --

    def _collect_atoms(self) -> None:
        def add(atoms: tuple[str, ...], cased: bool) -> None:
            for a in atoms:
                if a[0].isdigit():
                    self._numbers.add(a)
                    continue
                self._query_atoms.add(a.lower())
                (self._cased_atoms if cased else self._ci_atoms).add(a)

        for a in self.kb.aliases:
            add(a.atoms, a.cased)
        for rule in self.kb.rules.values():
            for f in rule.forms:
                add(f.prefix + f.suffix, f.cased)
            for atoms, _ in rule.tier_atoms:
                add(atoms, False)

    def _doc(self, words: tuple[str, ...]) -> Doc:
        return Doc(self.vocab, words=list(words))

    def _build_matchers(self, query: bool) -> tuple[PhraseMatcher, PhraseMatcher | None]:
        """``LOWER`` matcher for plain patterns, ``ORTH`` matcher for cased ones (query mode
        has only the first: a query ignores case). Version forms add their prefix; the version
        and what follows it are read from the atoms after the match."""
        ci = PhraseMatcher(self.vocab, attr="LOWER")
        cs = None if query else PhraseMatcher(self.vocab, attr="ORTH")

        def add(name: str, atoms: tuple[str, ...], cased: bool) -> None:
            if cased and cs is not None:
                cs.add(name, [self._doc(atoms)])
            else:
                ci.add(name, [self._doc(tuple(w.lower() for w in atoms))])

        for i, a in enumerate(self.kb.aliases):
            name = f"entity-alias:{i}"
            self._alias_by_key[self.vocab.strings.add(name)] = a
            add(name, a.atoms, a.cased)
        forms = [f for r in self.kb.rules.values() for f in r.forms]
        for i, f in enumerate(forms):
            name = f"entity-form:{i}"
            self._form_by_key[self.vocab.strings.add(name)] = f
            add(name, f.prefix, f.cased)
        return ci, cs

    def _build_prefilter(self) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
        """Trigger strings (-> kind) and, per trigger, how far a name may reach left and right
        of it. A pattern's trigger is its longest glued chunk (``claude``, ``gpt``, ``r1``,
        ``z.ai``, a katakana run), avoiding common words (``Nous Research`` triggers on
        ``nous``), so that the prefilter fires on names rather than on prose."""
        extents: dict[str, tuple[int, int]] = {}
        tries: dict[str, set[str]] = {"word": set(), "chunk": set(), "cjk": set(), "ver": set()}

        def add(text: str, skip: tuple[int, int] | None = None) -> None:
            """``skip``: where a form's version (and the tier room after it) stands."""
            p = prepare(text).lower()
            atoms = [(m.start(), m.end()) for m in ATOM_RE.finditer(p)]
            chunks: list[tuple[int, int]] = []  # glued runs of atoms outside ``skip``
            for s, e in atoms:
                if skip and skip[0] <= s < skip[1]:
                    continue
                if chunks and chunks[-1][1] == s and not (skip and s == skip[1]):
                    chunks[-1] = (chunks[-1][0], e)
                else:
                    chunks.append((s, e))
            if not chunks:
                return
            glued_to_version = bool(skip) and any(c[1] == skip[0] for c in chunks)

            def rank(c: tuple[int, int]) -> tuple[int, int, int]:
                size, rare = c[1] - c[0], p[c[0]:c[1]] not in _COMMON_WORDS
                return (2 * (size >= 3) + rare, size, -c[0])

            best = max(chunks, key=rank)
            s, e = best
            key = p[s:e]
            slack = 2 + 2 * len(chunks)  # room for separators the text may add or drop
            if glued_to_version and best[1] == skip[0]:  # type: ignore[index]
                kind = "ver"  # o{v}, SD{v}: the chunk must be followed by a digit
            elif _is_cjk(key[0]):
                kind = "cjk"
            elif _WORD_RE.fullmatch(key):
                kind = "word"
            else:
                kind = "chunk"  # r1, z.ai, gb200, llama.cpp
            if kind == "word" and len(key) == 1:
                return  # no one-letter triggers: every such pattern has a longer chunk
            tries[kind].add(key)
            left, right = extents.get(key, (0, 0))
            extents[key] = (max(left, s + slack), max(right, len(p) - e + slack))

        for a in self.kb.aliases:
            add(a.text)
        for rule in self.kb.rules.values():
            tier = max((len(t) for t in rule.tiers), default=0)
            for f in rule.forms:
                pre, _, post = f.text.partition("{v}")
                version = "9.99" + ("x" if rule.letters else "")
                if post:
                    add(pre + version + post, skip=(len(pre), len(pre) + len(version)))
                else:  # room for a tier after the version
                    text = pre + version + (" " + "x" * tier if tier else "")
                    add(text, skip=(len(pre), len(text)))
        kinds: dict[str, str] = {}
        for kind, keys in tries.items():
            for k in keys:
                kinds[k] = kind
        return kinds, extents

    def _matchers(self, query: bool) -> tuple[PhraseMatcher, PhraseMatcher | None]:
        if not query:
            return self._text_matchers
        with self._lock:
            if self._query_matchers is None:
                self._query_matchers = self._build_matchers(query=True)
        return self._query_matchers

    # -- matching --

    def mentions(self, text: str, lang: str | None = None) -> list[Mention]:
        """Entity mentions with character offsets into ``text``, in text order.

        ``lang`` ("ja"/"en") is accepted for symmetry with the tokenizers; matching is the same
        for both because Japanese posts quote Latin names and English posts quote katakana.
        """
        return self._mentions(text, query=False)

    def recognize(self, text: str, lang: str | None = None) -> dict[str, int]:
        """Entity id -> number of mentions in ``text`` (knowledge-base and dynamic ids)."""
        return dict(Counter(m.entity_id for m in self._mentions(text, query=False)))

    def match_query(self, text: str) -> list[str]:
        """Entity ids named in a short user query, in order; case is ignored here (a query
        for ``cursor`` or ``meta`` means the product or the company)."""
        return list(dict.fromkeys(m.entity_id for m in self._mentions(text, query=True)))

    def query_mentions(self, text: str) -> list[Mention]:
        """``mentions`` as ``match_query`` sees them (case ignored), with offsets."""
        return self._mentions(text, query=True)

    def _mentions(self, text: str, query: bool) -> list[Mention]:
        if not text:
            return []
        prepared = prepare(text)
        lower = prepared.lower()
        if len(lower) != len(prepared):  # U+0130 is the one character that lower-cases to two
            lower = prepared.replace("\u0130", "i").lower()
        windows = self._windows(lower)
        if not windows:
            return []
        atoms = self._atomize(prepared, windows, query)
        if not atoms.words:
            return []
        doc = Doc(self.vocab, words=atoms.words)
        cands: list[tuple[int, int, int, str | None]] = []  # (start, end, priority, id)
        for matcher in self._matchers(query):
            if matcher is None:
                continue
            for key, s, e in matcher(doc):
                alias = self._alias_by_key.get(key)
                if alias is not None:
                    self._alias_candidate(alias, s, e, atoms, prepared, cands)
                else:
                    self._form_candidate(self._form_by_key[key], s, e, atoms, prepared, cands)
        if cands and ("http" in lower or "www." in lower):  # names inside URLs do not count
            urls = sorted(m.span() for rx in _URL_RES for m in rx.finditer(lower))
            if urls:
                url_starts = [u[0] for u in urls]

                def outside(c: tuple[int, int, int, str | None]) -> bool:
                    i = bisect.bisect_right(url_starts, c[0]) - 1
                    return i < 0 or c[0] >= urls[i][1]

                cands = [c for c in cands if outside(c)]
        return self._resolve(cands, text)

    def _windows(self, lower: str) -> list[tuple[int, int]]:
        """Where names may be: around each trigger occurrence, by the trigger's extents."""
        n = len(lower)
        spans: list[tuple[int, int]] = []
        extents = self._extents
        # words: one C-speed split, positions by accumulated lengths, set membership per word
        parts = _WORD_SPLIT_RE.split(lower)
        if len(parts) > 1:
            triggers = self._word_triggers
            hits = [k for k in range(1, len(parts), 2) if parts[k] in triggers]
            if hits:
                ends = list(accumulate(map(len, parts)))
                for k in hits:
                    i = ends[k - 1]
                    if i and lower[i - 1] in _LATIN_ALNUM:
                        continue  # "4claude"
                    left, right = extents[parts[k]]
                    spans.append((max(0, i - left), min(n, ends[k] + right)))
        present = [t for t in self._chunk_triggers if t in lower]
        if not lower.isascii():
            runs = _CJK_RUN_RE.findall(lower)
            if runs:
                by_bigram = self._cjk_by_bigram
                seen = {r[i:i + 2] for r in runs for i in range(len(r))}
                present += [t for bg in seen.intersection(by_bigram) for t in by_bigram[bg]]
        find = lower.find
        for t in present:
            left, right = extents[t]
            size = len(t)
            latin_start = t[0] in _LATIN_ALNUM
            last = t[-1]
            stop = _LATIN_LETTERS if last in _LATIN_LETTERS else _DIGITS if last.isdigit() else ()
            i = find(t)
            while i >= 0:
                j = i + size
                if not (latin_start and i and lower[i - 1] in _LATIN_ALNUM) and not (
                    j < n and lower[j] in stop
                ):
                    spans.append((max(0, i - left), min(n, j + right)))
                i = find(t, j)
        if self._ver_re is not None:
            for m in self._ver_re.finditer(lower):
                i = m.start()
                if not (i and lower[i - 1] in _LATIN_ALNUM):
                    left, right = extents[m.group()]
                    spans.append((max(0, i - left), min(n, m.end() + right)))
        if not spans:
            return []
        spans.sort()
        out: list[list[int]] = []
        for s, e in spans:
            if out and s <= out[-1][1] + _WINDOW_GAP:  # close windows: one is cheaper than two
                if e > out[-1][1]:
                    out[-1][1] = e
                continue
            while s > 0 and lower[s - 1] in _LATIN_ALNUM:
                s -= 1  # never start inside a word or number
            out.append([s, e])
        for w in out:  # never end inside a word or a katakana run
            run = _RUN_END_RE.match(lower, w[1])
            if run:
                w[1] = run.end()
        return [(s, e) for s, e in out]

    def _atomize(self, prepared: str, windows: list[tuple[int, int]], query: bool) -> _Atoms:
        """Atoms of the windows, unknown ones collapsed into one placeholder per run."""
        cache = self._query_words if query else self._text_words
        if len(cache) > _WORD_CACHE_LIMIT:
            cache.clear()  # bounded memory on a streaming corpus
        word_of = self._query_word if query else self._text_word
        words: list[str] = []
        raw: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        split = ATOM_SPLIT_RE.split
        for ws, we in windows:
            parts = split(prepared[ws:we])
            atoms = parts[1::2]
            if not atoms:
                continue
            offs = list(accumulate(map(len, parts), initial=ws))  # offs[k]: start of parts[k]
            get = cache.get
            ws_ = [get(a) or word_of(a, cache) for a in atoms]
            # keep known atoms and the first of each run of unknown ones
            keep = [
                i for i, w in enumerate(ws_)
                if w is not PLACEHOLDER or (i and ws_[i - 1] is not PLACEHOLDER)
            ]
            if words and words[-1] is not PLACEHOLDER and (
                not keep or ws_[keep[0]] is not PLACEHOLDER
            ):  # windows never touch: keep them apart
                words.append(PLACEHOLDER)
                raw.append("")
                starts.append(ws)
                ends.append(ws)
            words += [ws_[i] for i in keep]
            raw += [atoms[i] for i in keep]
            starts += [offs[2 * i + 1] for i in keep]
            ends += [offs[2 * i + 2] for i in keep]
        while words and words[-1] is PLACEHOLDER:
            for arr in (words, raw, starts, ends):
                arr.pop()
        return _Atoms(words, raw, starts, ends)

    def _text_word(self, a: str, cache: dict[str, str]) -> str:
        if a[0].isdigit():
            w = a if a in self._numbers else PLACEHOLDER
        elif a in self._cased_atoms or a.lower() in self._ci_atoms:
            w = a  # as written: LOWER serves plain patterns, ORTH the cased ones
        else:
            w = PLACEHOLDER
        cache[a] = w
        return w

    def _query_word(self, a: str, cache: dict[str, str]) -> str:
        if a[0].isdigit():
            w = a if a in self._numbers else PLACEHOLDER
        else:
            w = a.lower()
            if w not in self._query_atoms:
                w = PLACEHOLDER
        cache[a] = w
        return w

    def _alias_candidate(self, a: AliasSpec, s: int, e: int, atoms: _Atoms, prepared: str,
                         cands: list[tuple[int, int, int, str | None]]) -> None:
        starts, ends = atoms.starts, atoms.ends
        for j in a.glued:
            if ends[s + j] != starts[s + j + 1]:
                return
        cs, ce = starts[s], ends[e - 1]
        if _context_ok(prepared, cs, ce, a.strict):
            cands.append((cs, ce, 0 if a.entity_id is None else 1, a.entity_id))

    def _form_candidate(self, form: FormSpec, s: int, e: int, atoms: _Atoms, prepared: str,
                        cands: list[tuple[int, int, int, str | None]]) -> None:
        """``s:e`` matched the prefix of a version form: read the version after it."""
        rule: VersionRule = self.kb.rules[form.family_id]
        words, raw, starts, ends = atoms.words, atoms.raw, atoms.starts, atoms.ends
        n = len(words)
        vi = e  # first version token
        if vi >= n or not raw[vi][:1].isdigit() or words[vi] is PLACEHOLDER:
            return
        if form.glue_version and ends[vi - 1] != starts[vi]:
            return
        version, last = raw[vi], vi
        if (  # claude-opus-4-1: two single digits joined by a hyphen, nothing else
            rule.hyphen_minor and len(version) == 1 and vi + 1 < n and len(raw[vi + 1]) == 1
            and raw[vi + 1].isdigit() and prepared[ends[vi]:starts[vi + 1]] == "-"
        ):
            version, last = f"{version}.{raw[vi + 1]}", vi + 1
        if not rule.version_ok(version):
            return
        version = rule.canonical(version)
        nxt = last + 1
        if form.suffix:
            k = len(form.suffix)
            if nxt + k > n:
                return
            for i, want in enumerate(form.suffix):
                got = raw[nxt + i] if form.cased else raw[nxt + i].lower()
                if words[nxt + i] is PLACEHOLDER or got != want:
                    return
            cs, ce = starts[s], ends[nxt + k - 1]
            if _context_ok(prepared, cs, ce, False):
                cands.append((cs, ce, 2, rule.make_id(version)))
            return
        if nxt < n and ends[last] == starts[nxt]:
            follower = raw[nxt].lower()
            if rule.letters and len(follower) == 1 and follower in rule.letters:
                version += follower  # GPT-4o, Gemma 3n
                last = nxt
                nxt += 1
            elif follower in _SIZE_UNITS:
                return  # "Gemma 2b", "Qwen 7B": a size, not a version
        tier = None
        for tatoms, slug in rule.tier_atoms:
            k = len(tatoms)
            if nxt + k <= n and all(
                words[nxt + i] is not PLACEHOLDER and raw[nxt + i].lower() == tatoms[i]
                for i in range(k)
            ):
                tier = slug
                last = nxt + k - 1
                break
        cs, ce = starts[s], ends[last]
        if _context_ok(prepared, cs, ce, False):
            cands.append((cs, ce, 2, rule.make_id(version, tier)))

    @staticmethod
    def _resolve(cands: list[tuple[int, int, int, str | None]], text: str) -> list[Mention]:
        if not cands:
            return []
        # longest first; on equal spans blockers (0) win over aliases (1) over forms (2)
        cands.sort(key=lambda c: (c[0] - c[1], c[2], c[0]))
        taken: list[tuple[int, int]] = []  # sorted, non-overlapping
        starts: list[int] = []
        out: list[Mention] = []
        for s, e, _prio, eid in cands:
            i = bisect.bisect_right(starts, s)
            if i > 0 and taken[i - 1][1] > s:
                continue
            if i < len(taken) and taken[i][0] < e:
                continue
            taken.insert(i, (s, e))
            starts.insert(i, s)
            if eid is not None:
                out.append(Mention(eid, s, e, text[s:e]))
        out.sort(key=lambda m: m.start)
        return out


def _context_ok(text: str, s: int, e: int, strict: bool) -> bool:
    if "\n" in text[s:e]:
        return False
    prev = text[s - 1] if s > 0 else ""
    nxt = text[e] if e < len(text) else ""
    if prev and _is_kata(prev) and _is_kata(text[s]):
        return False
    if nxt and _is_kata(nxt) and _is_kata(text[e - 1]):
        return False
    if strict:
        if prev and (_is_kata(prev) or (_is_kanji(prev) and prev not in _STRICT_PREV_OK)):
            return False
        if nxt and (_is_kata(nxt) or (_is_kanji(nxt) and nxt not in _STRICT_NEXT_OK)):
            return False
        if prev in ("\u30fb", "=") and s >= 2 and _is_kata(text[s - 2]):
            return False
        if nxt in ("\u30fb", "=") and e + 1 < len(text) and _is_kata(text[e + 1]):
            return False
    return True


def _trie(words: set[str]) -> str:
    """A regex alternation of ``words`` shaped as a trie (fast to scan with ``re``)."""
    root: dict[str, dict] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(root)


# --- process-wide instance and shortcuts ----------------------------------------------------


@functools.cache
def get_recognizer() -> EntityRecognizer:
    """The recognizer of this process (knowledge base and matchers built once)."""
    return EntityRecognizer()


def match_query(text: str) -> list[str]:
    return get_recognizer().match_query(text)
