"""Syntax tree -> Elasticsearch query. Pure: the only inputs are the tree and the analysis code.

Every piece of text is analyzed with ``indexer.analysis.text.query_terms``, the function the
indexer used for the documents, and matched against the token fields of both languages (the
tokenizers follow the script, so ``Opus`` in a Japanese post sits in ``search.ja.*``):

* a word or phrase is a ``dis_max`` of alternatives: a phrase of its tokens in the title
  (boosted) and the text, a phrase of its lemmas (``*_base``), and, for Japanese, a phrase of
  its character bigrams (which catches text MeCab split differently);
* a Japanese run without spaces is one term, so it is matched as a phrase of its tokens;
* a term that names a known entity by any alias, in either script, also matches posts that
  carry the entity (``entity_ids``): cross-lingual recall through the entity layer;
* an unquoted word followed by a version number is one phrase (``Opus 4.8``), and the
  analyzers keep ``4.8`` whole, so versions stay exact;
* field terms (``tag:``, ``source:``, ``author:``, ``lang:``, ``entity:``) are exact
  keyword filters on normalized keys; ``title:`` searches titles only;
* ``match`` says how many of the top-level words and phrases a post needs: ``all`` (the
  default), ``most`` (all of one or two, three of four, 75 % rounded down of more) or ``any``.
  Posts that have more of them score higher either way; field terms, exclusions and
  parenthesized groups are always required as written.

No text from the user becomes a field name, a script or query DSL: it only ever becomes the
value of a ``match_phrase`` or ``term``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from api.query import entities
from api.query.syntax import And, Node, Not, Or, Parsed, Term, Warning_, parse
from indexer.analysis.normalize import keyword_key
from indexer.analysis.segment import has_japanese
from indexer.analysis.tags import tag_key
from indexer.analysis.text import QueryText, query_terms

LANGS = ("ja", "en")
TITLE_BOOST = 3.0
BASE_FACTOR = 0.8  # lemma matches count a little less than exact forms
BIGRAM_FACTOR = 0.5
ENTITY_BOOST = 2.0  # a post carrying the entity, without the literal text
PROXIMITY_BOOST = 2.0
PROXIMITY_SLOP = 3
TIE_BREAKER = 0.3
MatchMode = Literal["all", "most", "any"]
MATCH_MODES: tuple[str, ...] = get_args(MatchMode)
# how many optional pieces a post needs: all of up to 2, then 75 % (rounded down)
_MINIMUM = {"most": "2<75%", "any": "1"}

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


@dataclass(frozen=True)
class _Piece:
    """A term after grouping: its text, how to match it and what it names."""

    text: str
    phrase: bool
    field: str | None
    start: int
    end: int
    entity_ids: tuple[str, ...] = ()


class _Builder:
    def __init__(self, warnings: list[Warning_], match: str = "all") -> None:
        if match not in MATCH_MODES:
            raise ValueError(f"match must be one of {MATCH_MODES}, not {match!r}")
        self.warnings = warnings
        self.match = match
        self.highlight: list[HighlightTerm] = []
        self.entity_ids: list[str] = []
        self.scored = False
        self.proximity: list[dict[str, Any]] = []

    # -- tree --------------------------------------------------------------------------------

    def node(self, node: Node, negated: bool = False) -> dict[str, Any] | None:
        if isinstance(node, Term):
            return self.piece(_Piece(node.text, node.phrase, node.field, node.start, node.end), negated)
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
        must_not: list[dict[str, Any]] = []
        filters: list[dict[str, Any]] = []
        items: list[Node | _Piece] = list(_group(list(node.children)))
        plain_words: list[str] = []
        for item in items:
            if isinstance(item, _Piece):
                clause = self.piece(item, negated)
                if item.field is None:
                    plain_words.append(item.text)
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
                optional.append(clause)
            else:
                must.append(clause)
        if len(plain_words) >= 2 and not negated:
            self.add_proximity(" ".join(plain_words))
        if len(optional) == 1:
            must.extend(optional)
        elif optional:
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
        parts = ("title",) if title_only else ("title", "text")
        alternatives = text_alternatives(qt, parts)
        ids = () if title_only else (p.entity_ids or tuple(entities.named(p.text)))
        if not alternatives and not ids:
            self.warnings.append(Warning_(f"nothing to search for in {p.text!r}; ignored", p.start))
            return None
        if ids:
            alternatives.append(
                {"constant_score": {"filter": {"terms": {"entity_ids": list(ids)}}, "boost": ENTITY_BOOST}}
            )
        if not negated:
            self.scored = True
            self.highlight.append(
                HighlightTerm(p.text, tuple(qt.tokens.split()), tuple(qt.bases.split()), title_only, ids)
            )
            self.entity_ids.extend(i for i in ids if i not in self.entity_ids)
        if len(alternatives) == 1:
            return alternatives[0]
        return {"dis_max": {"queries": alternatives, "tie_breaker": TIE_BREAKER}}

    def add_proximity(self, text: str) -> None:
        qt = query_terms(text)
        if len(qt.tokens.split()) < 2:
            return
        for lang in LANGS:
            for part, boost in (("title", TITLE_BOOST * PROXIMITY_BOOST), ("text", PROXIMITY_BOOST)):
                self.proximity.append(
                    {
                        "match_phrase": {
                            f"search.{lang}.{part}": {
                                "query": qt.tokens,
                                "slop": PROXIMITY_SLOP,
                                "boost": boost,
                            }
                        }
                    }
                )


def _phrase(field_name: str, text: str, boost: float) -> dict[str, Any]:
    return {"match_phrase": {field_name: {"query": text, "boost": round(boost, 3)}}}


def text_alternatives(qt: QueryText, parts: tuple[str, ...] = ("title", "text")) -> list[dict[str, Any]]:
    """The ways a piece of text can match: tokens, lemmas and (Japanese) bigrams, per field."""
    out: list[dict[str, Any]] = []
    if qt.empty:
        return out
    latin = [t for t in qt.tokens.split() if not has_japanese(t)]
    for lang in LANGS:
        for part in parts:
            weight = TITLE_BOOST if part == "title" else 1.0
            if qt.tokens:
                out.append(_phrase(f"search.{lang}.{part}", qt.tokens, weight))
            if qt.bases:  # also when equal: "team" finds "teams" through the lemma field
                out.append(_phrase(f"search.{lang}.{part}_base", qt.bases, weight * BASE_FACTOR))
            if lang == "ja" and qt.bigrams:
                bigram = _phrase(f"search.ja.{part}_bigram", qt.bigrams, weight * BIGRAM_FACTOR)
                if latin:  # a mixed term: the Latin words must be there too
                    bigram = {
                        "bool": {
                            "must": [
                                bigram,
                                {"match": {f"search.ja.{part}": {"query": " ".join(latin),
                                                                  "operator": "and"}}},
                            ]
                        }
                    }
                out.append(bigram)
    return out


# -- grouping of adjacent words --------------------------------------------------------------


def _plain(node: Node) -> bool:
    return isinstance(node, Term) and node.field is None and not node.phrase


def _group(children: list[Node]) -> list[Node | _Piece]:
    """Turn runs of adjacent unquoted words into pieces: entity names spanning several words
    and ``word version`` pairs become one phrase; other terms become pieces of their own."""
    out: list[Node | _Piece] = []
    i = 0
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
        out.extend(_group_run(run))
    return out


def _as_piece(t: Term) -> _Piece:
    return _Piece(t.text, t.phrase, t.field, t.start, t.end)


def _group_run(run: list[Term]) -> list[_Piece]:
    # Entity names first: the longest window of words that an entity alias spans exactly.
    pieces: list[_Piece] = []
    i = 0
    while i < len(run):
        taken = False
        for j in range(min(len(run), i + 5), i + 1, -1):  # windows of 2..5 words, longest first
            window = run[i:j]
            text = " ".join(t.text for t in window)
            ids = entities.named(text)
            if ids:
                pieces.append(_Piece(text, True, None, window[0].start, window[-1].end, tuple(ids)))
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
            pieces.append(_Piece(text, True, None, t.start, nxt.end))
            i += 2
            continue
        pieces.append(_as_piece(t))
        i += 1
    return pieces


# -- entry points ----------------------------------------------------------------------------


def compile_tree(parsed: Parsed, match: str = "all") -> Compiled:
    """The query (without filters) for a parsed ``q``; ``match``: see the module docstring."""
    warnings = list(parsed.warnings)
    builder = _Builder(warnings, match)
    clause = None
    if parsed.tree is not None:
        tree = parsed.tree if isinstance(parsed.tree, And) else And((parsed.tree,))
        clause = builder.conjunction(tree, False, top=True)
    query: dict[str, Any] = {"bool": {}}
    if clause is not None:
        query["bool"]["must"] = [clause]
    if builder.proximity:
        query["bool"]["should"] = builder.proximity
    return Compiled(
        query=query,
        highlight=builder.highlight,
        entity_ids=builder.entity_ids,
        warnings=warnings,
        scored=builder.scored,
    )


def compile_q(q: str | None, match: str = "all") -> Compiled:
    return compile_tree(parse(q or ""), match)
