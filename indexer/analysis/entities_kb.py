"""The AI entity knowledge base: curated entities, their aliases and version rules.

``data/entities.yaml`` is the source (its header documents the alias rules). ``load_kb``
loads it once per process; ``KnowledgeBase`` checks it and answers every lookup that needs no
text matching: ``get``/``exists`` (listed entities), ``describe`` (which also knows the
*dynamic* entities that the version rules derive, such as ``claude-opus-4.9``), ``children``,
``ancestors``, prefix ``lookup``, ``ids_by_type`` and ``types``.

Finding names in text is ``entities.EntityRecognizer``'s job; both share the atom
segmentation defined here, so an alias and a text that spell a name alike produce the same
atoms.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from indexer.analysis.normalize import fold
from indexer.analysis.resources import read_data

KB_FILE = "entities.yaml"
ENTITY_TYPES = ("lab", "model_family", "model", "product", "person", "benchmark", "topic")
_TYPE_RANK = {
    t: i for i, t in enumerate(("lab", "model_family", "product", "model", "benchmark", "person", "topic"))
}
_ID_RE = re.compile(r"^[a-z0-9]+(?:[.\-][a-z0-9]+)*$")

# --- atoms: the unit of matching ---------------------------------------------------------------
#
# A text is cut into atoms: maximal runs of Latin letters, numbers with at most one decimal
# part ("4.8"), and single characters for everything else (each kana or kanji is an atom, so
# Japanese matching does not depend on how MeCab segments an unknown katakana name).
# Separators between atoms (whitespace, "-", "_", "・", "·") are not atoms: "GPT-5.1",
# "GPT 5.1" and "GPT5.1" all become GPT | 5.1, and クロード・ミュトス equals クロードミュトス.
LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
SEPARATORS = frozenset(" \t\n\r\f\v-_\u30fb\u00b7")
ATOM_RE = re.compile(rf"[{LETTERS}]+|[0-9]+(?:\.[0-9]+)?|[^\s\-_\u30fb\u00b7]")
ATOM_SPLIT_RE = re.compile(f"({ATOM_RE.pattern})")  # split() gives separator, atom, separator...
_SEP_RE = re.compile(r"[\s\-_\u30fb\u00b7]+")
VERSION_RE = re.compile(r"^[1-9](?:\.[0-9]{1,2})?$")  # a model version atom: 4, 4.8, 4.20


def atomize(text: str) -> list[tuple[str, int, int]]:
    """(atom, start, end) for ``text`` (already folded)."""
    return [(m.group(), m.start(), m.end()) for m in ATOM_RE.finditer(text)]


def _fold_class() -> re.Pattern[str]:
    """A character class of everything ``fold`` changes (so clean text is not translated)."""
    changed = [cp for cp in range(0x80, 0x10000) if not 0xD800 <= cp < 0xE000
               and fold(chr(cp)) != chr(cp)]
    ranges: list[list[int]] = []
    for cp in changed:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return re.compile(f"[{body}]+")


_FOLD_NEEDED = _fold_class()


def prepare(text: str) -> str:
    """The matching view of a text: ``fold`` (full-width Latin, half-width katakana, quotes,
    hyphen look-alikes; same length, so offsets into the original stay valid). Only the
    runs that need it are translated, which is much faster on mostly clean text."""
    if text.isascii():
        return text
    return _FOLD_NEEDED.sub(lambda m: fold(m.group()), text)


def compact_key(text: str) -> str:
    """Lookup key: NFKC, case-folded, separators removed (``Claude Opus`` -> ``claudeopus``)."""
    return _SEP_RE.sub("", unicodedata.normalize("NFKC", fold(text)).casefold())


# --- data model --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    dynamic: bool = False  # derived by a version rule, not listed in the knowledge base


@dataclass(frozen=True, slots=True)
class AliasSpec:
    """One alias of one entity (or of a blocker, ``entity_id`` None), compiled to atoms."""

    text: str
    entity_id: str | None
    atoms: tuple[str, ...]  # as written (cased) / lower-cased (case-insensitive)
    cased: bool
    strict: bool
    glued: tuple[int, ...]  # junction j (between atom j and j+1) must have no separator


@dataclass(frozen=True, slots=True)
class FormSpec:
    """One spelling of a versioned name: prefix atoms, the version, suffix atoms."""

    family_id: str
    text: str
    prefix: tuple[str, ...]
    suffix: tuple[str, ...]
    cased: bool
    glue_version: bool  # the version is written right after the prefix ("Kimi K2")


@dataclass(slots=True)
class VersionRule:
    """How a family's versioned members are named: ``id``/``name`` templates with ``{v}``."""

    family_id: str
    id_template: str
    name_template: str
    forms: list[FormSpec]
    tiers: dict[str, str]  # slug -> display ("flash-lite" -> "Flash-Lite")
    letters: str = ""  # letters that may follow the number without a gap ("4o", "3n")
    hyphen_minor: bool = False  # "claude-opus-4-1" means 4.1
    integer: bool = False  # whole versions only (o1, o3)
    tier_join: str = " "  # between the versioned name and the tier: "GPT-4o mini", "o3-mini"
    tier_atoms: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    _id_re: re.Pattern[str] | None = None

    def version_ok(self, v: str) -> bool:
        return bool(VERSION_RE.match(v)) and not (self.integer and "." in v)

    @staticmethod
    def canonical(v: str) -> str:
        """``3.0`` is ``3``: "Gemini 3.0 Pro" and "Gemini 3 Pro" are one entity."""
        return v[:-2] if v.endswith(".0") else v

    def make_id(self, v: str, tier: str | None = None) -> str:
        base = self.id_template.replace("{v}", v)
        return f"{base}-{tier}" if tier else base

    def make_name(self, v: str, tier: str | None = None) -> str:
        base = self.name_template.replace("{v}", v)
        return f"{base}{self.tier_join}{self.tiers[tier]}" if tier else base

    def parse_id(self, entity_id: str) -> tuple[str, str | None] | None:
        """(version, tier) when ``entity_id`` is one this rule derives, else None."""
        if self._id_re is None:
            pre, _, post = self.id_template.partition("{v}")
            letters = f"[{re.escape(self.letters)}]?" if self.letters else ""
            minor = "" if self.integer else r"(?:\.[0-9]{1,2})?"
            tiers = "|".join(re.escape(t) for t in sorted(self.tiers, key=len, reverse=True))
            tier = f"(?:-(?P<tier>{tiers}))?" if tiers else ""
            self._id_re = re.compile(
                rf"^{re.escape(pre)}(?P<v>[1-9]{minor}{letters}){re.escape(post)}{tier}$"
            )
        m = self._id_re.match(entity_id)
        if not m:
            return None
        return m.group("v"), m.groupdict().get("tier")


class KnowledgeBaseError(ValueError):
    pass


class KnowledgeBase:
    """The loaded ``entities.yaml``. Immutable after construction; safe to share."""

    def __init__(self, data: dict[str, Any]):
        self.version: int = int(data.get("version", 0))
        self.changelog: list[dict[str, Any]] = list(data.get("changelog") or [])
        self.shared_aliases: dict[str, str] = {
            compact_key(k): str(v) for k, v in (data.get("shared_aliases") or {}).items()
        }
        self.entities: dict[str, Entity] = {}
        self.aliases: list[AliasSpec] = []
        self.rules: dict[str, VersionRule] = {}
        self._children: dict[str, list[str]] = {}
        self.problems: list[str] = []  # integrity problems found while loading
        raws = list(data.get("entities") or [])
        for raw in raws:  # version rules first: names they already spell are not aliases
            if raw.get("versions"):
                self.rules[str(raw.get("id"))] = _version_rule(str(raw.get("id")), raw["versions"])
        for raw in raws:
            self._add_entity(raw)
        for text in data.get("blockers") or []:
            self.aliases.append(_alias_spec(str(text), None, cased=False, strict=False))
        for text in data.get("blockers_cased") or []:
            self.aliases.append(_alias_spec(str(text), None, cased=True, strict=False))
        for e in self.entities.values():
            if e.parent:
                self._children.setdefault(e.parent, []).append(e.id)
        self._lookup_keys: list[tuple[str, int, str]] = self._build_lookup()
        self._lookup_only_keys = [k for k, _, _ in self._lookup_keys]

    # -- loading --

    def _add_entity(self, raw: dict[str, Any]) -> None:
        eid = str(raw.get("id", ""))
        if not _ID_RE.match(eid):
            self.problems.append(f"bad id {eid!r}")
            return
        if eid in self.entities:
            self.problems.append(f"duplicate id {eid}")
            return
        etype = raw.get("type")
        if etype not in ENTITY_TYPES:
            self.problems.append(f"{eid}: bad type {etype!r}")
        name = str(raw.get("name") or "")
        if not name:
            self.problems.append(f"{eid}: no name")
        cased = [str(a) for a in raw.get("cased") or []]
        strict = [str(a) for a in raw.get("strict") or []]
        plain = [str(a) for a in raw.get("aliases") or []]
        derivable = any(r.parse_id(eid) for r in self.rules.values())
        if (raw.get("name_alias", not derivable) and name not in cased and name not in strict):
            plain.insert(0, name)
        seen: set[tuple[str, bool]] = set()
        for text, is_cased, is_strict in (
            [(a, False, False) for a in plain]
            + [(a, True, False) for a in cased]
            + [(a, False, True) for a in strict]
        ):
            key = (text if is_cased else text.casefold(), is_cased)
            if key in seen:
                continue
            seen.add(key)
            self.aliases.append(_alias_spec(text, eid, cased=is_cased, strict=is_strict))
        display = tuple(dict.fromkeys([name, *plain, *cased, *strict]))
        self.entities[eid] = Entity(
            id=eid, type=str(etype), name=name, parent=raw.get("parent") or None, aliases=display
        )

    def _build_lookup(self) -> list[tuple[str, int, str]]:
        keys: set[tuple[str, int, str]] = set()
        for a in self.aliases:
            if a.entity_id:
                keys.add((compact_key(a.text), 1, a.entity_id))
        for e in self.entities.values():
            keys.add((compact_key(e.name), 0, e.id))
            keys.add((compact_key(e.id), 2, e.id))
            for v, tier, rule in self._versioned(e.id):
                for form in rule.forms:
                    text = form.text.replace("{v}", v)
                    if tier:
                        text += " " + tier
                    keys.add((compact_key(text), 1, e.id))
        return sorted(keys)

    def _versioned(self, entity_id: str) -> Iterator[tuple[str, str | None, VersionRule]]:
        for rule in self.rules.values():
            parsed = rule.parse_id(entity_id)
            if parsed:
                yield parsed[0], parsed[1], rule

    # -- queries --

    def get(self, entity_id: str) -> Entity | None:
        """The knowledge-base entity (None for dynamic or unknown ids)."""
        return self.entities.get(entity_id)

    def exists(self, entity_id: str) -> bool:
        """Whether the knowledge base lists ``entity_id`` (dynamic ids are not listed)."""
        return entity_id in self.entities

    def versioned(self, entity_id: str) -> bool:
        """Whether a version rule names ``entity_id`` (listed or not): its mentions may be
        spelled by the rule's forms (``Opus 4.7`` for Claude Opus 4.7), not only its aliases."""
        return any(True for _ in self._versioned(entity_id))

    def describe(self, entity_id: str) -> Entity | None:
        """Type, name and parent of a knowledge-base entity or of a version-rule entity."""
        e = self.entities.get(entity_id)
        if e is not None:
            return e
        for v, tier, rule in self._versioned(entity_id):
            parent = rule.make_id(v) if tier else rule.family_id
            name = rule.make_name(v, tier)
            return Entity(id=entity_id, type="model", name=name, parent=parent,
                          aliases=(name,), dynamic=True)
        return None

    def children(self, entity_id: str) -> list[Entity]:
        """Knowledge-base entities whose parent is ``entity_id`` (by name)."""
        out = [self.entities[c] for c in self._children.get(entity_id, ())]
        return sorted(out, key=lambda e: e.name.casefold())

    def ancestors(self, entity_id: str) -> list[str]:
        """Parent, grandparent, ... of an entity (knowledge-base or dynamic); [] if unknown."""
        out: list[str] = []
        cur = self.describe(entity_id)
        while cur is not None and cur.parent and cur.parent not in out and cur.parent != entity_id:
            out.append(cur.parent)
            cur = self.describe(cur.parent)
        return out

    def lookup(self, alias_or_prefix: str, limit: int = 10) -> list[Entity]:
        """Entities with an alias, name or id equal to or starting with the query (NFKC,
        case-folded, separators ignored); exact hits first, then shorter aliases."""
        key = compact_key(alias_or_prefix)
        if not key or limit <= 0:
            return []
        i = bisect.bisect_left(self._lookup_only_keys, key)
        hits: list[tuple[int, int, int, str, str]] = []
        for k, _kind, eid in self._lookup_keys[i:]:
            if not k.startswith(key):
                break
            e = self.entities[eid]
            hits.append((0 if k == key else 1, len(k), _TYPE_RANK.get(e.type, 9), e.name, eid))
        hits.sort()
        out: list[Entity] = []
        for *_, eid in hits:
            e = self.entities[eid]
            if e not in out:
                out.append(e)
                if len(out) >= limit:
                    break
        return out

    def all_entities(self) -> Iterable[Entity]:
        return self.entities.values()

    @functools.cached_property
    def _by_type(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {}
        for e in self.entities.values():
            if e.type:
                out.setdefault(e.type, set()).add(e.id)
        return {t: frozenset(ids) for t, ids in out.items()}

    def ids_by_type(self) -> dict[str, frozenset[str]]:
        """Listed entity ids per type (dynamic entities are all ``model`` and not listed)."""
        return dict(self._by_type)

    def types(self) -> list[str]:
        """The entity types there are: every listed one, and ``model``, the type ``describe``
        gives each entity a version rule derives."""
        return sorted(set(self._by_type) | {"model"})

    def integrity_problems(self) -> list[str]:
        """Everything wrong with the data: load problems, dangling parents, cycles, aliases
        claimed by two entities (unless listed in ``shared_aliases``)."""
        problems = list(self.problems)
        for e in self.entities.values():
            if e.parent and e.parent not in self.entities:
                problems.append(f"{e.id}: parent {e.parent} does not exist")
            seen = {e.id}
            cur = e
            while cur.parent and cur.parent in self.entities:
                if cur.parent in seen:
                    problems.append(f"{e.id}: parent cycle")
                    break
                seen.add(cur.parent)
                cur = self.entities[cur.parent]
        for fam, rule in self.rules.items():
            for form in rule.forms:
                if not form.prefix:
                    problems.append(f"{fam}: form {form.text!r} has no prefix")
        owners: dict[str, set[str]] = {}
        for a in self.aliases:
            if a.entity_id:
                owners.setdefault(compact_key(a.text), set()).add(a.entity_id)
        for k, ids in owners.items():
            if len(ids) > 1 and k not in self.shared_aliases:
                problems.append(f"alias {k!r} claimed by {sorted(ids)}")
        return problems


def _alias_spec(text: str, entity_id: str | None, *, cased: bool, strict: bool) -> AliasSpec:
    prepared = prepare(text)
    atoms = atomize(prepared)
    glued = tuple(j for j in range(len(atoms) - 1) if atoms[j][2] == atoms[j + 1][1])
    words = tuple(a if cased else a.lower() for a, _, _ in atoms)
    return AliasSpec(text=text, entity_id=entity_id, atoms=words, cased=cased, strict=strict,
                     glued=glued)


def _version_rule(family_id: str, raw: dict[str, Any]) -> VersionRule:
    tiers = {str(k): str(v) for k, v in (raw.get("tiers") or {}).items()}
    forms: list[FormSpec] = []
    for cased, key in ((False, "forms"), (True, "cased_forms")):
        for text in raw.get(key) or []:
            text = str(text)
            pre, sep, post = text.partition("{v}")
            if not sep:
                raise KnowledgeBaseError(f"{family_id}: form {text!r} lacks {{v}}")
            p = prepare(pre)
            forms.append(FormSpec(
                family_id=family_id,
                text=text,
                prefix=tuple(a if cased else a.lower() for a, _, _ in atomize(p)),
                suffix=tuple(a if cased else a.lower() for a, _, _ in atomize(prepare(post))),
                cased=cased,
                glue_version=bool(p) and p[-1] not in SEPARATORS,
            ))
    tier_atoms = sorted(
        ((tuple(a.lower() for a, _, _ in atomize(prepare(slug))), slug) for slug in tiers),
        key=lambda t: -len(t[0]),
    )
    return VersionRule(
        family_id=family_id,
        id_template=str(raw.get("id") or f"{family_id}-{{v}}"),
        name_template=str(raw.get("name") or f"{family_id} {{v}}"),
        forms=forms,
        tiers=tiers,
        letters=str(raw.get("letters") or ""),
        hyphen_minor=bool(raw.get("hyphen_minor", False)),
        integer=bool(raw.get("integer", False)),
        tier_join=str(raw.get("tier_join", " ")),
        tier_atoms=tier_atoms,
    )


@functools.cache
def load_kb() -> KnowledgeBase:
    """The packaged knowledge base, parsed once per process."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(read_data(KB_FILE), Loader=loader)  # a safe loader (C if available)
    return KnowledgeBase(data)
