"""The API's one door to entities: the knowledge base answers lookups, the recognizer finds
names in text. Both come from ``indexer.analysis``; what leaves this module is the API's own
small dataclasses (``Info``, ``Span``), so a change on the indexer side is absorbed here.

The package is used as ``analysis.name``: its knowledge base and recognizer are imported on
first use, so importing this module stays as cheap as importing ``indexer.analysis``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from indexer import analysis

# runs of one kind of character: where a name's atoms may be split, a run never is
_RUN_RE = re.compile(
    r"[a-z]+|[0-9]+|[\u30a1-\u30fa\u30fc-\u30ff]+|[\u3041-\u309f]+|[\u4e00-\u9fff\u3400-\u4dbf々]+"
)


@dataclass(frozen=True, slots=True)
class Span:
    """An entity named in a text, with character offsets into that text."""

    entity_id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Info:
    """What the API shows of an entity."""

    id: str
    name: str
    type: str
    names: dict[str, list[str]]  # aliases by script: "ja" (kana/kanji) and "en" (the rest)
    aliases: tuple[str, ...]
    parent: str | None
    dynamic: bool = False  # derived by a version rule, not listed in the knowledge base


def _info(e: analysis.Entity) -> Info:
    names = {
        "ja": [a for a in e.aliases if analysis.has_japanese(a)],
        "en": [a for a in e.aliases if not analysis.has_japanese(a)],
    } if e.aliases else {}
    return Info(id=e.id, name=e.name or e.id, type=e.type, names=names, aliases=e.aliases,
                parent=e.parent, dynamic=e.dynamic)


# --- lookups (the knowledge base) -------------------------------------------------------------


def exists(entity_id: str) -> bool:
    """Whether the knowledge base lists ``entity_id`` (a derived version id is not listed)."""
    return analysis.load_kb().exists(entity_id)


def describe(entity_id: str) -> Info | None:
    """A listed entity or one a version rule derives (``claude-opus-4.9``); None if neither."""
    e = analysis.load_kb().describe(entity_id)
    return None if e is None else _info(e)


def children(entity_id: str) -> list[str]:
    return [c.id for c in analysis.load_kb().children(entity_id)]


def ancestors(entity_id: str) -> list[str]:
    """Parent, grandparent, ... (the ids a post's ``entity_tree`` adds for it)."""
    return analysis.load_kb().ancestors(entity_id)


def entity_ids() -> list[str]:
    """Every listed entity, sorted (version rules can derive more)."""
    return sorted(e.id for e in analysis.load_kb().all_entities())


def ids_by_type() -> dict[str, frozenset[str]]:
    return analysis.load_kb().ids_by_type()


def entity_types() -> list[str]:
    return analysis.load_kb().types()


def lookup(prefix: str, limit: int) -> list[Info]:
    """Entities by alias or alias prefix (either script). A query that names, as a whole, a
    version the knowledge base lacks (``Opus 4.9``) yields that derived entity first."""
    kb = analysis.load_kb()
    found: list[analysis.Entity] = []
    hits = spans(prefix)
    if len(hits) == 1 and not (prefix[: hits[0].start].strip() or prefix[hits[0].end :].strip()):
        e = kb.describe(hits[0].entity_id)
        if e is not None and e.dynamic:
            found.append(e)
    for e in kb.lookup(prefix, limit):
        if e not in found:
            found.append(e)
    return [_info(e) for e in found[:limit]]


# --- names in text (the recognizer) -----------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def anchors(entity_id: str) -> tuple[str, ...] | None:
    """Strings that every mention of a listed entity holds, folded and lower-cased: the longest
    run of one kind of character (Latin letters, digits, katakana, hiragana, kanji) in its name
    and in each alias (``welfare`` for ``AI welfare``, ``モデル`` for ``モデル福祉``), so a text
    can be searched for where the recognizer may find it. None for a versioned model, whose
    spellings come from rules (``Opus 4.7``) rather than a list."""
    kb = analysis.load_kb()
    e = kb.describe(entity_id)
    if e is None or e.dynamic or kb.versioned(entity_id):
        return None
    out: list[str] = []
    for name in (e.name, *e.aliases):
        runs = _RUN_RE.findall(analysis.fold(name or "").lower())
        if not runs:
            return None  # a name of symbols only: nothing to look for
        out.append(max(runs, key=lambda r: (len(r), not r.isascii())))  # a tie: the rarer script
    return tuple(dict.fromkeys(out))


def mentions(text: str, lang: str) -> list[Span]:
    """Entities a post's text names, as indexing finds them (case matters for cased aliases)."""
    return [Span(m.entity_id, m.start, m.end) for m in analysis.get_recognizer().mentions(text, lang)]


def spans(text: str) -> list[Span]:
    """Entity names in ``text`` (a piece of a query; case ignored), with their offsets."""
    return list(_spans(text))


@functools.lru_cache(maxsize=4096)  # a query is compiled twice (term_stats), its runs looked up each time
def _spans(text: str) -> tuple[Span, ...]:
    return tuple(Span(m.entity_id, m.start, m.end) for m in analysis.get_recognizer().query_mentions(text))


def named(text: str) -> list[str]:
    """Ids of the entities ``text`` names as a whole (by any alias, in either script)."""
    return list(_named(text.strip()))


@functools.lru_cache(maxsize=4096)  # a query is compiled twice (term_stats), its pieces looked up each time
def _named(stripped: str) -> tuple[str, ...]:
    if not stripped:
        return ()
    found = [s.entity_id for s in _spans(stripped) if s.start == 0 and s.end == len(stripped)]
    return tuple(dict.fromkeys(found))


def resolve(value: str) -> list[str]:
    """An ``entity:`` value or ``entity=`` filter: an id, else an alias naming entities."""
    value = value.strip()
    if not value:
        return []
    for candidate in (value, analysis.normalize(value)):
        if exists(candidate):
            return [candidate]
    return named(value) or analysis.get_recognizer().match_query(value)
