"""AI entity recognition in Japanese and English text, with spaCy as the matching engine.

How a text is matched (one pass, both scripts alike):

1. ``prepare`` folds the text without changing its length (full-width Latin, half-width
   katakana, quotes, hyphen look-alikes), so every offset points into the original string.
2. A prefilter regex (a trie of every alias's first atom) finds the places where a name may
   start; URLs are skipped. Only windows after those places are analysed further, which keeps
   the cost low on long texts that mention few names.
3. The windows are cut into atoms (see ``entities_kb``: letter runs, numbers, single kana/kanji,
   separators dropped) and become one spaCy ``Doc``. Atoms that occur in no alias are
   collapsed into a placeholder token, so the vocabulary never grows while the corpus streams
   through and a name never matches across unrelated words.
4. Two ``PhraseMatcher`` (``LOWER`` for ordinary aliases, ``ORTH`` for aliases that are also
   common words, marked ``cased`` in the knowledge base) find the aliases; a ``Matcher`` finds
   family + version spellings (``Opus 4.9``, ``GPT-5.3``, ``Gemini 3.5 Pro``), which become
   their own entities even when the knowledge base does not list them.
5. Each candidate is checked against its context (katakana aliases never match inside a longer
   katakana word, so ミソス is not found in ミソスープ; ``strict`` aliases also refuse kanji and
   ・-compounds around them), then the longest non-overlapping candidates win: ``Claude Opus
   4.8`` is one mention of ``claude-opus-4.8``, not also ``claude`` and ``claude-opus``.
   Blockers (``Claude Shannon``) win like aliases and are dropped.

Parents are never added as mentions; ``ancestors`` gives them to whoever wants to expand.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections import Counter
from dataclasses import dataclass

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from indexer.analysis.entities_kb import (
    ATOM_RE,
    VERSION_RE,
    AliasSpec,
    Entity,
    FormSpec,
    KnowledgeBase,
    VersionRule,
    load_kb,
    prepare,
)

__all__ = [
    "Entity",
    "EntityRecognizer",
    "Mention",
    "ancestors",
    "children",
    "describe",
    "get",
    "get_recognizer",
    "lookup",
    "match_query",
]

PLACEHOLDER = "\u2063"  # a token that is in no alias: unknown atoms and window breaks
_SIZE_UNITS = frozenset({"b", "m", "k", "t", "x", "bn", "gb", "tb"})  # "Gemma 2b" is a size
_LETTER_START = re.compile(r"[A-Za-z\u00c0-\u024f]")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'\u3000-\u303f\uff08\uff09]+", re.IGNORECASE)
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
    """Finds knowledge-base and version-rule entities in text. One per process
    (``get_recognizer``); recognition is read-only and may run on several threads."""

    def __init__(self, kb: KnowledgeBase | None = None):
        self.kb = kb or load_kb()
        self.nlp = spacy.blank("en")  # its vocabulary (lexeme attributes) backs every Doc
        self.vocab = self.nlp.vocab
        self._alias_by_key: dict[int, AliasSpec] = {}
        self._form_by_key: dict[int, tuple[FormSpec, int]] = {}
        self._ci_atoms: set[str] = set()
        self._cased_atoms: set[str] = set()
        self._numbers: set[str] = {str(i) for i in range(10)}
        for major in range(1, 10):
            for minor in range(100):
                self._numbers.add(f"{major}.{minor}")
                if minor < 10:
                    self._numbers.add(f"{major}.0{minor}")
        self._collect_atoms()
        for w in (*self._ci_atoms, *self._cased_atoms, *self._numbers, PLACEHOLDER):
            self.vocab.strings.add(w)
            self.vocab[w]  # noqa: B018 - create the lexeme now, not while matching
        self._text_matchers = self._build_matchers(query=False)
        self._query_matchers: tuple[PhraseMatcher, PhraseMatcher | None, Matcher] | None = None
        self._lock = threading.Lock()
        self._prefilter, self._window = self._build_prefilter()

    # -- construction --

    def _collect_atoms(self) -> None:
        def add(atoms: tuple[str, ...], cased: bool) -> None:
            for a in atoms:
                if a[0].isdigit():
                    self._numbers.add(a)
                elif cased:
                    self._cased_atoms.add(a)
                    self._ci_atoms.add(a.lower())  # query mode matches cased aliases lower-cased
                else:
                    self._ci_atoms.add(a)

        for a in self.kb.aliases:
            add(a.atoms, a.cased)
        for rule in self.kb.rules.values():
            for f in rule.forms:
                add(f.prefix + f.suffix, f.cased)
            for atoms, _ in rule.tier_atoms:
                add(atoms, False)

    def _doc(self, words: tuple[str, ...]) -> Doc:
        return Doc(self.vocab, words=list(words))

    def _build_matchers(self, query: bool) -> tuple[PhraseMatcher, PhraseMatcher | None, Matcher]:
        ci = PhraseMatcher(self.vocab, attr="LOWER")
        cs = None if query else PhraseMatcher(self.vocab, attr="ORTH")
        for i, a in enumerate(self.kb.aliases):
            key = self.vocab.strings.add(f"entity-alias:{i}")
            self._alias_by_key[key] = a
            if a.cased and not query:
                cs.add(key, [self._doc(a.atoms)])  # type: ignore[union-attr]
            else:
                ci.add(key, [self._doc(tuple(w.lower() for w in a.atoms))])
        forms = Matcher(self.vocab)
        for fi, (form, rule) in enumerate(
            (f, r) for r in self.kb.rules.values() for f in r.forms
        ):
            attr = "ORTH" if form.cased and not query else "LOWER"

            def tok(a: str, attr: str = attr) -> dict[str, str]:
                return {attr: a if attr == "ORTH" else a.lower()}

            one = "^[1-9]$" if rule.integer else VERSION_RE.pattern
            variants = [[{"TEXT": {"REGEX": one}}]]
            if rule.hyphen_minor:
                variants.append([{"TEXT": {"REGEX": "^[1-9]$"}}, {"TEXT": {"REGEX": "^[0-9]$"}}])
            for version in variants:
                name = f"entity-form:{fi}:{len(version)}"
                self._form_by_key[self.vocab.strings.add(name)] = (form, len(version))
                pattern = [tok(a) for a in form.prefix] + version + [tok(a) for a in form.suffix]
                forms.add(name, [pattern])
        return ci, cs, forms

    def _build_prefilter(self) -> tuple[re.Pattern[str], int]:
        words: set[str] = set()  # first atom is a letter run
        single: set[str] = set()  # ... of one letter, glued to a number: o1, R1, K2
        digits: set[str] = set()
        other: set[str] = set()  # kana, kanji, symbols: the glued run up to a Latin atom
        longest = 0

        def head(text: str, extra: int = 0) -> None:
            nonlocal longest
            prepared = prepare(text).lower()
            longest = max(longest, len(prepared) + extra)
            atoms = ATOM_RE.finditer(prepared)
            first = next(atoms, None)
            if first is None:
                return
            a = first.group()
            if a[0].isdigit():
                digits.add(a)
            elif _LETTER_START.match(a):
                (single if len(a) == 1 else words).add(a)
            else:
                end = first.end()
                symbol = not _is_cjk(a)
                for m in atoms:
                    g = m.group()
                    latin = g[0].isdigit() or bool(_LETTER_START.match(g))
                    if m.start() != end or (latin and not symbol):
                        break
                    end = m.end()
                    if latin:  # "@sama": a symbol takes the glued word after it, then stops
                        break
                    symbol = False
                other.add(prepared[first.start():end])

        for a in self.kb.aliases:
            head(a.text)
        for rule in self.kb.rules.values():
            tier = max((len(s) for s in rule.tiers), default=0)
            for f in rule.forms:
                head(f.text.replace("{v}", ""), extra=tier + 8)
        letter = "A-Za-z\u00c0-\u024f"
        parts = []
        if words:
            parts.append(rf"(?<![{letter}])(?:{_trie(words)})(?![{letter}])")
        if single:
            parts.append(rf"(?<![{letter}])(?:{_trie(single)})(?=[0-9])")
        if digits:
            parts.append(rf"(?<![0-9.])(?:{_trie(digits)})(?![0-9])")
        if other:
            parts.append(f"(?:{_trie(other)})")
        return re.compile("|".join(parts)), longest + 8

    def _matchers(self, query: bool) -> tuple[PhraseMatcher, PhraseMatcher | None, Matcher]:
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

    def _mentions(self, text: str, query: bool) -> list[Mention]:
        if not text:
            return []
        prepared = prepare(text)
        lower = prepared.lower()
        if len(lower) != len(prepared):  # a few characters lower-case to two (U+0130)
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in prepared)
        windows = self._windows(lower)
        if not windows:
            return []
        atoms = self._atomize(prepared, windows, query)
        if not atoms.words:
            return []
        doc = Doc(self.vocab, words=atoms.words)
        ci, cs, forms = self._matchers(query)
        cands: list[tuple[int, int, int, str | None]] = []  # (start, end, priority, id)
        for key, s, e in ci(doc):
            self._alias_candidate(self._alias_by_key[key], s, e, atoms, prepared, cands)
        if cs is not None:
            for key, s, e in cs(doc):
                self._alias_candidate(self._alias_by_key[key], s, e, atoms, prepared, cands)
        for key, s, e in forms(doc):
            form, vlen = self._form_by_key[key]
            self._form_candidate(form, vlen, s, e, atoms, prepared, cands)
        return self._resolve(cands, text)

    def _windows(self, lower: str) -> list[tuple[int, int]]:
        urls: list[tuple[int, int]] = []
        if "http" in lower or "www." in lower:
            urls = [(m.start(), m.end()) for m in _URL_RE.finditer(lower)]
        url_starts = [u[0] for u in urls]
        n = len(lower)
        out: list[list[int]] = []
        for m in self._prefilter.finditer(lower):
            s = m.start()
            if urls:
                i = bisect.bisect_right(url_starts, s) - 1
                if i >= 0 and s < urls[i][1]:
                    continue
            e = min(n, s + self._window)
            run = _RUN_END_RE.match(lower, e)
            if run:
                e = min(n, run.end())
            if out and s <= out[-1][1]:
                if e > out[-1][1]:
                    out[-1][1] = e
            else:
                out.append([s, e])
        return [(s, e) for s, e in out]

    def _atomize(self, prepared: str, windows: list[tuple[int, int]], query: bool) -> _Atoms:
        words: list[str] = []
        raw: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        ci_atoms, cased_atoms, numbers = self._ci_atoms, self._cased_atoms, self._numbers
        last_placeholder = True  # no leading placeholder
        for ws, we in windows:
            if not last_placeholder:
                words.append(PLACEHOLDER)
                raw.append("")
                starts.append(ws)
                ends.append(ws)
                last_placeholder = True
            for m in ATOM_RE.finditer(prepared, ws, we):
                a = m.group()
                c = a[0]
                if c.isdigit():
                    w = a if a in numbers else PLACEHOLDER
                elif not query and a in cased_atoms:
                    w = a
                else:
                    lo = a.lower()
                    w = lo if lo in ci_atoms else PLACEHOLDER
                if w is PLACEHOLDER:
                    if last_placeholder:
                        continue
                    last_placeholder = True
                else:
                    last_placeholder = False
                words.append(w)
                raw.append(a)
                starts.append(m.start())
                ends.append(m.end())
        while words and words[-1] is PLACEHOLDER:
            for arr in (words, raw, starts, ends):
                arr.pop()
        return _Atoms(words, raw, starts, ends)

    def _alias_candidate(self, a: AliasSpec, s: int, e: int, atoms: _Atoms, prepared: str,
                         cands: list[tuple[int, int, int, str | None]]) -> None:
        starts, ends = atoms.starts, atoms.ends
        for j in a.glued:
            if ends[s + j] != starts[s + j + 1]:
                return
        cs, ce = starts[s], ends[e - 1]
        if _context_ok(prepared, cs, ce, a.strict):
            cands.append((cs, ce, 0 if a.entity_id is None else 1, a.entity_id))

    def _form_candidate(self, form: FormSpec, vlen: int, s: int, e: int, atoms: _Atoms,
                        prepared: str, cands: list[tuple[int, int, int, str | None]]) -> None:
        rule: VersionRule = self.kb.rules[form.family_id]
        raw, starts, ends = atoms.raw, atoms.starts, atoms.ends
        vi = s + len(form.prefix)  # first version token
        if form.glue_version and ends[vi - 1] != starts[vi]:
            return
        version = raw[vi]
        last = vi + vlen - 1  # last token of the version
        if vlen == 2:  # claude-opus-4-1: a hyphen, nothing else, between the two numbers
            if prepared[ends[vi]:starts[vi + 1]] != "-":
                return
            version = f"{raw[vi]}.{raw[vi + 1]}"
        if not rule.version_ok(version):
            return
        nxt = last + 1
        n = len(raw)
        if not form.suffix:
            if nxt < n and ends[last] == starts[nxt]:
                follower = raw[nxt].lower()
                if rule.letters and len(follower) == 1 and follower in rule.letters:
                    version += follower  # GPT-4o, Gemma 3n
                    last = nxt
                    nxt += 1
                elif follower in _SIZE_UNITS or follower == "%":
                    return  # "Gemma 2b", "Llama 3 8B"... no: "Qwen 7b" is a size, not Qwen7
            tier = None
            for tatoms, slug in rule.tier_atoms:
                k = len(tatoms)
                if nxt + k <= n and all(
                    atoms.words[nxt + i] != PLACEHOLDER and raw[nxt + i].lower() == tatoms[i]
                    for i in range(k)
                ):
                    tier = slug
                    last = nxt + k - 1
                    break
            entity_id = rule.make_id(version, tier)
        else:
            last = e - 1
            entity_id = rule.make_id(version)
        cs, ce = starts[s], ends[last]
        if _context_ok(prepared, cs, ce, False):
            cands.append((cs, ce, 2, entity_id))

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

    # -- knowledge base, for the API --

    def get(self, entity_id: str) -> Entity | None:
        return self.kb.get(entity_id)

    def describe(self, entity_id: str) -> Entity | None:
        return self.kb.describe(entity_id)

    def children(self, entity_id: str) -> list[Entity]:
        return self.kb.children(entity_id)

    def ancestors(self, entity_id: str) -> list[str]:
        return self.kb.ancestors(entity_id)

    def lookup(self, alias_or_prefix: str, limit: int = 10) -> list[Entity]:
        """Knowledge-base entities by alias or alias prefix (either script); a query that
        names a version the knowledge base lacks (``Opus 4.9``) yields that dynamic entity."""
        out: list[Entity] = []
        found = self._mentions(alias_or_prefix, query=True)
        if len(found) == 1 and not (
            alias_or_prefix[: found[0].start].strip() or alias_or_prefix[found[0].end :].strip()
        ):
            e = self.kb.describe(found[0].entity_id)
            if e is not None and e.dynamic:
                out.append(e)
        for e in self.kb.lookup(alias_or_prefix, limit):
            if e not in out:
                out.append(e)
        return out[:limit]


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


def get(entity_id: str) -> Entity | None:
    return get_recognizer().get(entity_id)


def describe(entity_id: str) -> Entity | None:
    return get_recognizer().describe(entity_id)


def children(entity_id: str) -> list[Entity]:
    return get_recognizer().children(entity_id)


def ancestors(entity_id: str) -> list[str]:
    return get_recognizer().ancestors(entity_id)


def lookup(alias_or_prefix: str, limit: int = 10) -> list[Entity]:
    return get_recognizer().lookup(alias_or_prefix, limit)


def match_query(text: str) -> list[str]:
    return get_recognizer().match_query(text)
