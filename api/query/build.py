"""Syntax tree -> Elasticsearch query. Pure: the only inputs are the tree and the analysis code.

Every piece of text is analyzed with ``indexer.analysis.text.query_terms``, the function the
indexer used for the documents, and matched against the token fields of the index contract
(``indexer.index.fields``), which both languages share.

* **Words.** Unquoted text is split into content words by ``indexer.analysis.query_words``:
  ``生成AIと著作権について`` is ``生成`` ``AI`` ``著作権``; particles, auxiliaries, stop words and
  light verbs need not match. Quoted text stays an exact phrase, in both languages.
* **Which posts match** (a filter, no score): each word or phrase matches its tokens, its
  lemmas (``*_base``) or, for Japanese, its character bigrams (which catch text MeCab split
  differently), in the title or the text of the whole post; a word that names a known entity by
  any alias, in either script, also matches posts carrying the entity (``entity_ids``). ``match``
  says how many of the top-level words a post needs: ``best`` (the default: one, ranked by how
  well it matches), ``all`` (every one), ``most`` (all of one or two, three of four, 75 %
  rounded down of more) or ``any`` (one). Field terms, exclusions and parenthesized groups are
  always required as written.
* **How they rank.** A post scores by its title and its best passage (``search.passages``,
  nested: a long digest with one mention does not outrank a post about the topic), plus a
  boost when it carries a named entity, plus a proximity boost when adjacent content words
  (``セキュリティ`` ``対策``) stand close together in the title or a passage; never a requirement.
  Each word a post has adds to its coordination score by the word's rarity in the index
  (``COORD_IDF``, from the document frequencies ``api.query.term_stats`` reads).
  An entity name typed in Japanese (``ウェイモ``) also scores its Latin name (``Waymo``) in
  titles and passages, as an alternative of the typed form: English posts about it rank as
  Japanese ones do. Not the other way round (measured: Japanese posts crowded English queries).
* an unquoted word followed by a version number is one phrase (``Opus 4.8``), and the
  analyzers keep ``4.8`` whole, so versions stay exact;
* field terms (``tag:``, ``source:``, ``author:``, ``lang:``, ``entity:``) are exact
  keyword filters on normalized keys; ``title:`` searches titles only.

No text from the user becomes a field name, a script or query DSL: it only ever becomes the
value of a ``match_phrase`` or ``term``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from api.query import entities
from api.query.syntax import And, Node, Not, Or, Parsed, Term, Warning_, parse
from indexer.analysis import (
    QueryText,
    content_words,
    equivalents,
    has_japanese,
    is_intent_word,
    keyword_key,
    query_terms,
    tag_key,
)
from indexer.index import fields as F

TITLE_BOOST = 2.0
BASE_FACTOR = 0.8  # lemma matches count a little less than exact forms
BIGRAM_FACTOR = 0.5
ENTITY_BOOST = 2.0  # a post carrying the entity, without the literal text
PROXIMITY_BOOST = 2.0
COORD_BOOST = 5.0  # per query word the post has anywhere: posts with more of the words rank first
WHOLE_TEXT_BOOST = 0.5  # BM25 of the whole post's text beside its best passage (measured, see bench)
ALL_WORDS_BOOST = 3.0  # once more when it has every top-level word (a tier; measured, see bench)
COORD_IDF = 2.0  # 0: every word counts alike; 1: in proportion to its idf against the query's mean
INTENT_FACTOR = 0.7  # an intent word (使い方, tutorial) weighs this much of a topic word (measured)
OTHER_SCRIPT_FACTOR = 1.0  # a name typed in Japanese also scores the entity's Latin name (0: off)
EQUIVALENT_FACTOR = 0.5  # a post saying 検出 for a typed 見分ける counts this much of one saying it (0: off)
INTENT_EQUIVALENTS = 1.0  # 1: an intent word with a verb (作り方) has its verb's equivalents too
# a word's bigram phrase scores (its tokens / its bigrams)^this of their sum: a long katakana word
# (ディープフェイク: 7 bigrams, 2 tokens) no longer outscores the other words by its length (0: off)
BIGRAM_NORM = 1.0
# a Japanese word that MeCab splits (ディープフェイク: ディープ フェイク) scores (1 / its tokens)^this
# of its tokens' summed weight: one word typed, one word's weight (0: off; measured, see bench)
SPLIT_WORD_NORM = 1.0
PROXIMITY_SLOP = 3
TIE_BREAKER = 0.3
MatchMode = Literal["best", "all", "most", "any"]
MATCH_MODES: tuple[str, ...] = get_args(MatchMode)
DEFAULT_MATCH: MatchMode = "best"
# how many optional pieces a post needs: all of up to 2, then 75 % (rounded down); or one
_MINIMUM = {"most": "2<75%", "any": "1", "best": "1"}
PASSAGE_HITS = "passage"  # name of the inner hit that says which passage scored best

_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_VERSION_RE = re.compile(r"^v?\d+(?:\.\d+)*[a-z]?$", re.IGNORECASE)
_MATCH_NONE: dict[str, Any] = {"bool": {"must_not": [{"match_all": {}}]}}


@dataclass(frozen=True)
class HighlightTerm:
    """A positive piece of the query, for marking matches in the original text."""

    text: str
    tokens: tuple[str, ...]
    bases: tuple[str, ...]
    title_only: bool = False
    entity_ids: tuple[str, ...] = ()


@dataclass
class Compiled:
    query: dict[str, Any]
    highlight: list[HighlightTerm] = field(default_factory=list)
    entity_ids: list[str] = field(default_factory=list)  # named in free text
    warnings: list[Warning_] = field(default_factory=list)
    scored: bool = False  # the query has text that ranks (else only filters)
    common_words: list[str] = field(default_factory=list)  # rank, but match only beside rarer words
    equivalent_marks: list[HighlightTerm] = field(default_factory=list)  # 検出 for a typed 見分ける

    @property
    def marks(self) -> list[HighlightTerm]:
        """What to mark in the text: the words typed and their equivalents."""
        return [*self.highlight, *self.equivalent_marks]


@dataclass(frozen=True)
class _Piece:
    """A term after grouping: its text, how to match it and what it names."""

    text: str
    phrase: bool
    field: str | None
    start: int
    end: int
    entity_ids: tuple[str, ...] = ()
    run: int = -1  # pieces from one run of adjacent words share it (for proximity)
    intent: bool = False  # asks for a kind of post (使い方), not a topic: weighs less


class _Builder:
    def __init__(
        self,
        warnings: list[Warning_],
        match: str = DEFAULT_MATCH,
        common: frozenset[str] = frozenset(),
        shares: Mapping[str, float] | None = None,
    ) -> None:
        if match not in MATCH_MODES:
            raise ValueError(f"match must be one of {MATCH_MODES}, not {match!r}")
        self.warnings = warnings
        self.match = match
        self.common = common  # lemmas in so many posts that, under ``best``, they do not match alone
        self.shares = shares or {}  # lemma -> share of the posts holding it (when known)
        self.coord: dict[tuple[int, int], float] = {}  # top-level word (start, end) -> its weight
        self.common_words: list[str] = []
        self.highlight: list[HighlightTerm] = []
        self.equivalent_marks: list[HighlightTerm] = []
        self.entity_ids: list[str] = []
        self.scored = False
        self.title_scores: list[dict[str, Any]] = []
        self.passage_scores: list[dict[str, Any]] = []
        self.entity_scores: list[dict[str, Any]] = []
        self.all_words: dict[str, Any] | None = None

    # -- tree (which posts match) ----------------------------------------------------------

    def node(self, node: Node, negated: bool = False) -> dict[str, Any] | None:
        if isinstance(node, Term):
            if _plain(node):
                return self.conjunction(And((node,)), negated)
            return self.piece(_as_piece(node), negated)
        if isinstance(node, Not):
            inner = self.node(node.child, not negated)
            return None if inner is None else {"bool": {"must_not": [inner]}}
        if isinstance(node, Or):
            branches = [b for b in (self.node(c, negated) for c in node.children) if b is not None]
            if not branches:
                return None
            if len(branches) == 1:
                return branches[0]
            return {"bool": {"should": branches, "minimum_should_match": 1}}
        return self.conjunction(node, negated)

    def conjunction(self, node: And, negated: bool, top: bool = False) -> dict[str, Any] | None:
        must: list[dict[str, Any]] = []
        optional: list[dict[str, Any]] = []  # top-level free text when match is not "all"
        topical: list[dict[str, Any]] = []  # the optional ones that are not intent words
        common: list[tuple[_Piece, dict[str, Any]]] = []  # optional, but in most posts
        must_not: list[dict[str, Any]] = []
        filters: list[dict[str, Any]] = []
        items: list[Node | _Piece] = list(_group(list(node.children)))
        if top and COORD_IDF and self.shares:
            words = [i for i in items if isinstance(i, _Piece) and i.field is None and not self.is_common(i)]
            self.coord = self.coord_weights(words)
        runs: dict[int, list[_Piece]] = {}
        for item in items:
            if isinstance(item, _Piece):
                clause = self.piece(item, negated)
                if item.field is None and item.run >= 0:
                    runs.setdefault(item.run, []).append(item)
            elif isinstance(item, Not):
                inner = self.node(item.child, not negated)
                if inner is not None:
                    must_not.append(inner)
                continue
            else:
                clause = self.node(item, negated)
            if clause is None:
                continue
            if isinstance(item, _Piece) and item.field not in (None, "title"):
                filters.append(clause)
            elif top and self.match != "all" and isinstance(item, _Piece) and item.field is None:
                if self.match == "best" and self.is_common(item):
                    common.append((item, clause))
                else:
                    optional.append(clause)
                if not item.intent:
                    topical.append(clause)
            else:
                must.append(clause)
        if not negated:
            for run in runs.values():
                self.add_proximity(run)
        if common and not optional:  # only common words: they match as any others
            optional = [clause for _, clause in common]
        elif common:
            # a post with only a common word (AI in an archive about AI) is no answer to a query
            # with rarer words: those decide which posts match, the common ones still score
            self.common_words.extend(p.text for p, _ in common)
            self.entity_scores.extend(clause for _, clause in common)
            if len(optional) == 1:
                self.all_words = {"bool": {"filter": list(topical or optional)}}
        if len(optional) == 1:
            must.extend(optional)
        elif optional:
            # every topic word: a post about LangGraph need not say 使い方 to be in the top tier
            self.all_words = {"bool": {"filter": list(topical or optional)}}
            must.append({"bool": {"should": optional, "minimum_should_match": _MINIMUM[self.match]}})
        if not (must or must_not or filters):
            return None
        if len(must) == 1 and not must_not and not filters:
            return must[0]
        body: dict[str, Any] = {}
        if must:
            body["must"] = must
        if filters:
            body["filter"] = filters
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}

    def coord_weights(self, pieces: list[_Piece]) -> dict[tuple[int, int], float]:
        """Each word's weight in the coordination score: its idf (its rarest lemma's) against
        the mean of the query's words, to the power ``COORD_IDF``; unknown words weigh 1."""
        idfs: dict[tuple[int, int], float] = {}
        for p in pieces:
            known = [self.shares[b] for b in query_terms(p.text).bases.split() if b in self.shares]
            if known:
                share = min(max(min(known), 1e-6), 1.0)
                idfs[(p.start, p.end)] = math.log1p((1.0 - share + 1e-6) / share)
        if len(idfs) < 2:
            return {}
        mean = sum(idfs.values()) / len(idfs)
        if mean <= 0:
            return {}
        return {k: (v / mean) ** COORD_IDF for k, v in idfs.items()}

    def is_common(self, p: _Piece) -> bool:
        if not self.common or p.entity_ids:
            return False
        bases = query_terms(p.text).bases.split()
        return bool(bases) and all(b in self.common for b in bases)

    # -- pieces ------------------------------------------------------------------------------

    def piece(self, p: _Piece, negated: bool) -> dict[str, Any] | None:
        if p.field in (None, "title"):
            return self.text_piece(p, negated)
        value = p.text.strip()
        if not value:
            self.warnings.append(Warning_(f"empty {p.field}: value ignored", p.start))
            return None
        if p.field == "tag":
            key = tag_key(value)
            if not key:
                self.warnings.append(Warning_(f"tag:{value} has no letters; ignored", p.start))
                return None
            return {"term": {"tag_keys": key}}
        if p.field == "source":
            return {"term": {"source_key": keyword_key(value)}}
        if p.field == "author":
            return {"term": {"author_keys": keyword_key(value)}}
        if p.field == "lang":
            return {"term": {"langs": value.lower()}}
        # entity:
        ids = entities.resolve(value)
        if not ids:
            self.warnings.append(Warning_(f"unknown entity {value!r}: matches nothing", p.start))
            return _MATCH_NONE
        if not negated:
            self.entity_ids.extend(i for i in ids if i not in self.entity_ids)
        return {"terms": {"entity_tree": ids}}

    def text_piece(self, p: _Piece, negated: bool) -> dict[str, Any] | None:
        qt = query_terms(p.text)
        title_only = p.field == "title"
        fields = ((F.TITLE, F.TITLE_BASE, F.TITLE_BIGRAM),)
        if not title_only:
            fields += ((F.TEXT, F.TEXT_BASE, F.TEXT_BIGRAM),)
        alternatives = [alt for names in fields for alt in stream_alternatives(qt, *names)]
        ids = () if title_only else (p.entity_ids or tuple(entities.named(p.text)))
        if not alternatives and not ids:
            self.warnings.append(Warning_(f"nothing to search for in {p.text!r}; ignored", p.start))
            return None
        if ids:
            alternatives.append({"terms": {"entity_ids": list(ids)}})
        presence = _any(alternatives)
        # other words for the same act (見分ける: 検出), matched and scored for less; never in
        # negated or quoted text, which mean what they say
        skip = negated or p.phrase or not EQUIVALENT_FACTOR or (p.intent and not INTENT_EQUIVALENTS)
        others = () if skip else equivalents(p.text)
        other_pairs = [(w, o) for w, o in ((w, query_terms(w)) for w in others) if not o.empty]
        other_qts = [o for _, o in other_pairs]
        other_presence = [a for o in other_qts for names in fields for a in stream_alternatives(o, *names)]
        if negated:
            return presence
        weight = INTENT_FACTOR if p.intent else 1.0
        other_forms = [(o, OTHER_SCRIPT_FACTOR) for o in latin_names(p.text, ids)]
        other_forms += [(o, EQUIVALENT_FACTOR) for o in other_qts]
        self.score(qt, title_only, ids, weight, tuple(other_forms))
        self.scored = True
        self.highlight.append(
            HighlightTerm(p.text, tuple(qt.tokens.split()), tuple(qt.bases.split()), title_only, ids)
        )
        self.equivalent_marks.extend(
            HighlightTerm(w, tuple(o.tokens.split()), tuple(o.bases.split()), title_only)
            for w, o in other_pairs
        )
        self.entity_ids.extend(i for i in ids if i not in self.entity_ids)
        # the match itself scores a constant: posts with more of the words rank higher, and the
        # words are looked up once (the ranking clauses below only score the posts found here)
        coord = COORD_BOOST * weight * self.coord.get((p.start, p.end), 1.0)
        typed = {"constant_score": {"filter": presence, "boost": round(coord, 3)}}
        if not other_presence:
            return typed
        boost = round(coord * EQUIVALENT_FACTOR, 3)
        other = {"constant_score": {"filter": _any(other_presence), "boost": boost}}
        return {"dis_max": {"queries": [typed, other]}}

    def score(
        self,
        qt: QueryText,
        title_only: bool,
        ids: tuple[str, ...],
        weight: float = 1.0,
        other_names: tuple[tuple[QueryText, float], ...] = (),
    ) -> None:
        """What a matched piece adds to the score: its best title match, and in the passages.
        ``other_names``: other forms scored as alternatives of the typed one, each with its
        factor: the Latin names of an entity typed in Japanese (a post about Waymo scores for
        ウェイモ as one saying ウェイモ does) and the equivalents of a verb (見分ける: 検出)."""
        forms = ((qt, weight), *((o, weight * f) for o, f in other_names))

        def best(names: tuple[str, str, str], boost: float) -> dict[str, Any] | None:
            alternatives = [a for q, w in forms for a in stream_alternatives(q, *names, boost * w)]
            return _best(alternatives) if alternatives else None

        title = best((F.TITLE, F.TITLE_BASE, F.TITLE_BIGRAM), TITLE_BOOST)
        if title:
            self.title_scores.append(title)
        if title_only:
            return
        passage = best((F.PASSAGE_TEXT, F.PASSAGE_BASE, F.PASSAGE_BIGRAM), 1.0)
        if passage:
            self.passage_scores.append(passage)
        whole = best((F.TEXT, F.TEXT_BASE, F.TEXT_BIGRAM), WHOLE_TEXT_BOOST) if WHOLE_TEXT_BOOST else None
        if whole:
            self.title_scores.append(whole)
        if ids:
            self.entity_scores.append(
                {"constant_score": {"filter": {"terms": {"entity_ids": list(ids)}}, "boost": ENTITY_BOOST}}
            )

    def add_proximity(self, run: list[_Piece]) -> None:
        """Adjacent content words close together in a title or a passage score higher."""
        if len(run) < 2:
            return
        tokens = " ".join(query_terms(p.text).tokens for p in run).split()
        if len(tokens) < 2:
            return
        text = " ".join(tokens)
        slop = PROXIMITY_SLOP + len(run)  # particles between the words (推論 の コスト)
        self.title_scores.append(
            {"match_phrase": {F.TITLE: {"query": text, "slop": slop, "boost": TITLE_BOOST * PROXIMITY_BOOST}}}
        )
        self.passage_scores.append(
            {"match_phrase": {F.PASSAGE_TEXT: {"query": text, "slop": slop, "boost": PROXIMITY_BOOST}}}
        )

    def scoring(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.title_scores:
            out.append({"bool": {"should": self.title_scores}})
        if self.passage_scores:
            out.append(
                {
                    "nested": {
                        "path": F.PASSAGES,
                        "score_mode": "max",
                        "query": {"bool": {"should": self.passage_scores}},
                    }
                }
            )
        out.extend(self.entity_scores)
        if ALL_WORDS_BOOST and self.all_words is not None:
            out.append({"constant_score": {"filter": self.all_words, "boost": ALL_WORDS_BOOST}})
        return out


def latin_names(text: str, ids: tuple[str, ...]) -> tuple[QueryText, ...]:
    """The Latin names to score beside an entity name typed in Japanese: each entity's name and
    its shortest Latin alias (``Hinton`` beside ``Geoffrey Hinton``). Only this direction:
    Japanese names scored for Latin ones crowded English queries with Japanese posts (held-out
    English nDCG@10 0.817 -> 0.747) and cost Japanese queries 0.009 on the tuning half."""
    if not OTHER_SCRIPT_FACTOR or not ids or not has_japanese(text):
        return ()
    names: list[str] = []
    for entity_id in ids:
        info = entities.describe(entity_id)
        if info is None:
            continue
        latin = [n for n in (info.name, *info.names.get("en", [])) if n and not has_japanese(n)]
        if latin:
            names.extend((latin[0], min(latin, key=len)))
    return tuple(query_terms(n) for n in dict.fromkeys(names))


def _any(alternatives: list[dict[str, Any]]) -> dict[str, Any]:
    if len(alternatives) == 1:
        return alternatives[0]
    return {"bool": {"should": alternatives, "minimum_should_match": 1}}


def _best(alternatives: list[dict[str, Any]]) -> dict[str, Any]:
    if len(alternatives) == 1:
        return alternatives[0]
    return {"dis_max": {"queries": alternatives, "tie_breaker": TIE_BREAKER}}


def _phrase(field_name: str, text: str, boost: float) -> dict[str, Any]:
    return {"match_phrase": {field_name: {"query": text, "boost": round(boost, 3)}}}


def stream_alternatives(
    qt: QueryText, tokens_field: str, bases_field: str, bigrams_field: str, weight: float = 1.0
) -> list[dict[str, Any]]:
    """The ways a piece of text can match one text field: its tokens, lemmas and bigrams."""
    out: list[dict[str, Any]] = []
    if qt.empty:
        return out
    norm = 1.0
    if SPLIT_WORD_NORM and has_japanese(qt.tokens):
        norm = len(qt.tokens.split()) ** -SPLIT_WORD_NORM
    if qt.tokens:
        out.append(_phrase(tokens_field, qt.tokens, weight * norm))
    if qt.bases:  # also when equal: "team" finds "teams" through the lemma field
        out.append(_phrase(bases_field, qt.bases, weight * BASE_FACTOR * norm))
    if qt.bigrams:
        share = min(1.0, max(1, len(qt.tokens.split())) / len(qt.bigrams.split())) ** BIGRAM_NORM
        bigram = _phrase(bigrams_field, qt.bigrams, weight * BIGRAM_FACTOR * share)
        latin = [t for t in qt.tokens.split() if not has_japanese(t)]
        if latin:  # a mixed term: the Latin words must be there too
            bigram = {
                "bool": {
                    "must": [bigram, {"match": {tokens_field: {"query": " ".join(latin), "operator": "and"}}}]
                }
            }
        out.append(bigram)
    return out


def split_passages(query: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``query`` (from ``compile_tree``, with or without filters) without its passage clause,
    and that clause without inner hits: the two phases of a rescored search (the passages are
    scored for the top hits only; see ``api.query.search_request``)."""
    body = query.get("bool")
    should = body.get("should") if isinstance(body, dict) else None
    if not should:
        return query, None
    nested = [c for c in should if isinstance(c, dict) and (c.get("nested") or {}).get("path") == F.PASSAGES]
    if not nested:
        return query, None
    rest = [c for c in should if all(c is not n for n in nested)]
    first = {**body, "should": rest} if rest else {k: v for k, v in body.items() if k != "should"}
    clause = {"nested": {k: v for k, v in nested[0]["nested"].items() if k != "inner_hits"}}
    return {"bool": first}, clause


def passage_hits(query: dict[str, Any]) -> dict[str, Any]:
    """``query`` asking for the best passage of each hit (``inner_hits``), for highlights:
    the passage scoring clause that ``compile_tree`` wrote, wherever filters wrapped it."""
    stack: list[Any] = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        nested = node.get("nested")
        if isinstance(nested, dict) and nested.get("path") == F.PASSAGES:
            nested["inner_hits"] = {
                "name": PASSAGE_HITS,
                "size": 1,
                "_source": False,
                "docvalue_fields": [F.PASSAGE_LANG, F.PASSAGE_FIELD, F.PASSAGE_START, F.PASSAGE_END],
            }
            return query
        stack.extend(node.values())
    return query


# -- grouping of adjacent words --------------------------------------------------------------


def _plain(node: Node) -> bool:
    return isinstance(node, Term) and node.field is None and not node.phrase


def _group(children: list[Node]) -> list[Node | _Piece]:
    """Turn runs of adjacent unquoted words into pieces: their content words, entity names
    spanning several words and ``word version`` pairs; other terms become pieces of their own."""
    out: list[Node | _Piece] = []
    i = 0
    runs = 0
    while i < len(children):
        node = children[i]
        if not _plain(node):
            out.append(_as_piece(node) if isinstance(node, Term) else node)
            i += 1
            continue
        run: list[Term] = []
        while i < len(children) and _plain(children[i]):
            run.append(children[i])  # type: ignore[arg-type]
            i += 1
        out.extend(_group_run(_content_run(run), runs))
        runs += 1
    words = [p for p in out if isinstance(p, _Piece) and p.field is None]
    if words and all(p.intent for p in words):  # 比較 alone: what the user wants is the topic
        out = [dataclasses.replace(p, intent=False) if isinstance(p, _Piece) else p for p in out]
    return out


def _content_run(run: list[Term]) -> list[Term]:
    """The content words of a run of unquoted words (all of them when none is one). An entity
    name found in the run as typed stays one word, though MeCab may split it and call a part
    of it a particle (ウェイモ is ウェイ + モ, アルファ碁 loses アルファ)."""
    words: list[Term] = []
    for t in run:
        # names written with particles (モデルの福祉) are still split: the particles need not match
        names = [n for n in entities.spans(t.text) if not _HIRAGANA.search(t.text[n.start : n.end])]
        done: set[int] = set()
        for w in content_words(t.text, fallback=False):
            name = next((i for i, n in enumerate(names) if n.start < w.end and w.start < n.end), None)
            if name is None:
                words.append(Term(w.text, False, None, t.start + w.start, t.start + w.end))
            elif name not in done:
                done.add(name)
                n = names[name]
                words.append(Term(t.text[n.start : n.end], False, None, t.start + n.start, t.start + n.end))
    return words or run


def _as_piece(t: Term, run: int = -1) -> _Piece:
    return _Piece(t.text, t.phrase, t.field, t.start, t.end, run=run)


def _joined(window: list[Term]) -> str:
    # words that touch in the query (a split Japanese run) are joined without a space
    out = window[0].text
    for prev, t in itertools.pairwise(window):
        out += ("" if prev.end == t.start else " ") + t.text
    return out


def _group_run(run: list[Term], run_id: int) -> list[_Piece]:
    # Entity names first: the longest window of words that an entity alias spans exactly.
    pieces: list[_Piece] = []
    i = 0
    while i < len(run):
        taken = False
        for j in range(min(len(run), i + 5), i + 1, -1):  # windows of 2..5 words, longest first
            window = run[i:j]
            text = _joined(window)
            ids = entities.named(text)
            if ids:
                pieces.append(_Piece(text, True, None, window[0].start, window[-1].end, tuple(ids), run_id))
                i = j
                taken = True
                break
        if taken:
            continue
        t = run[i]
        nxt = run[i + 1] if i + 1 < len(run) else None
        if (
            nxt is not None
            and _VERSION_RE.match(nxt.text)
            and any(c.isalpha() for c in t.text)
            and not has_japanese(t.text)
        ):
            text = f"{t.text} {nxt.text}"
            pieces.append(_Piece(text, True, None, t.start, nxt.end, run=run_id))
            i += 2
            continue
        pieces.append(_Piece(t.text, t.phrase, t.field, t.start, t.end, run=run_id,
                             intent=is_intent_word(t.text)))
        i += 1
    return pieces


# -- entry points ----------------------------------------------------------------------------


def compile_tree(
    parsed: Parsed,
    match: str = DEFAULT_MATCH,
    common: frozenset[str] = frozenset(),
    shares: Mapping[str, float] | None = None,
) -> Compiled:
    """The query (without filters) for a parsed ``q``; ``match``: see the module docstring.
    ``common``: lemmas found in most posts (``api.query.term_stats``); under ``best`` a word
    made of them ranks the posts that have it but does not make a post match by itself.
    ``shares``: the share of posts holding each lemma, which weighs the words' coordination
    score by their rarity (``COORD_IDF``)."""
    warnings = list(parsed.warnings)
    builder = _Builder(warnings, match, common, shares)
    clause = None
    if parsed.tree is not None:
        tree = parsed.tree if isinstance(parsed.tree, And) else And((parsed.tree,))
        clause = builder.conjunction(tree, False, top=True)
    query: dict[str, Any] = {"bool": {}}
    if clause is not None:
        query["bool"]["must"] = [clause]
    scoring = builder.scoring()
    if scoring:
        query["bool"]["should"] = scoring
    return Compiled(
        query=query,
        highlight=builder.highlight,
        entity_ids=builder.entity_ids,
        warnings=warnings,
        scored=builder.scored,
        common_words=builder.common_words,
        equivalent_marks=builder.equivalent_marks,
    )


def compile_q(q: str | None, match: str = DEFAULT_MATCH) -> Compiled:
    return compile_tree(parse(q or ""), match)
