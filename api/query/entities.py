"""The API's one door to the entity knowledge base (``indexer.analysis.entities``).

Everything the API asks of the recognizer goes through here, so a change in its interface is
absorbed in one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indexer.analysis.normalize import normalize


@dataclass(frozen=True)
class Span:
    entity_id: str
    start: int
    end: int


class _NoEntities:
    """Stands in while the knowledge base cannot be loaded: no entity is known."""

    def get(self, entity_id: str) -> None:
        return None

    def mentions(self, text: str, lang: str) -> list[Any]:
        return []

    def match_query(self, text: str) -> list[str]:
        return []

    def lookup(self, prefix: str, limit: int = 10) -> list[Any]:
        return []

    def describe(self, entity_id: str) -> None:
        return None

    def children(self, entity_id: str) -> list[str]:
        return []

    def ancestors(self, entity_id: str) -> list[str]:
        return []


def recognizer() -> Any:
    try:
        from indexer.analysis.entities import get_recognizer
    except ImportError:  # pragma: no cover - only while the module is being written
        return _NoEntities()
    return get_recognizer()


def exists(entity_id: str) -> bool:
    try:
        return recognizer().get(entity_id) is not None
    except KeyError:
        return False


def spans(text: str) -> list[Span]:
    """Entity names in ``text`` (a piece of a query), with their offsets into ``text``."""
    rec = recognizer()
    finder = getattr(rec, "query_mentions", None)
    if finder is not None:
        found = finder(text)
    elif hasattr(rec, "_mentions"):  # query mode: case-insensitive, as match_query
        found = rec._mentions(text, query=True)
    else:
        found = rec.mentions(text, "ja" if _has_japanese(text) else "en")
    out: list[Span] = []
    for m in found:
        entity_id, start, end = _mention_parts(m)
        out.append(Span(entity_id, start, end))
    return out


def _mention_parts(m: Any) -> tuple[str, int, int]:
    if isinstance(m, tuple):
        return str(m[0]), int(m[1]), int(m[2])
    entity_id = getattr(m, "id", None) or getattr(m, "entity_id", None)
    return str(entity_id), int(m.start), int(m.end)


def named(text: str) -> list[str]:
    """Ids of the entities ``text`` names as a whole (by any alias, in either script)."""
    stripped = text.strip()
    if not stripped:
        return []
    found = [s.entity_id for s in spans(stripped) if s.start == 0 and s.end == len(stripped)]
    if found:
        return list(dict.fromkeys(found))
    return []


def resolve(value: str) -> list[str]:
    """An ``entity:`` value or ``entity=`` filter: an id, else an alias naming entities."""
    value = value.strip()
    if not value:
        return []
    for candidate in (value, normalize(value)):
        if exists(candidate):
            return [candidate]
    ids = named(value)
    if ids:
        return ids
    return [i for i in recognizer().match_query(value)]


def _has_japanese(text: str) -> bool:
    from indexer.analysis.segment import has_japanese

    return has_japanese(text)


@dataclass(frozen=True)
class Info:
    """What the API shows of an entity, whatever shape the recognizer returns."""

    id: str
    name: str
    type: str | None
    names: dict[str, Any]
    aliases: tuple[str, ...]
    parent: str | None


def _attr(obj: Any, *names: str) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return None


def _info(entity_id: str, raw: Any) -> Info:
    aliases = tuple(str(a) for a in (_attr(raw, "aliases") or ()))
    names = _attr(raw, "names") or {}
    if not isinstance(names, dict):
        names = {"all": list(names)}
    if not names and aliases:
        names = {
            "ja": [a for a in aliases if _has_japanese(a)],
            "en": [a for a in aliases if not _has_japanese(a)],
        }
    name = _attr(raw, "name", "display", "label")
    if not name:
        for lang in ("en", "ja"):
            v = names.get(lang)
            if v:
                name = v if isinstance(v, str) else next(iter(v), None)
                break
    parent = _attr(raw, "parent")
    if parent is None:
        ancestors_ = ancestors(entity_id)
        parent = ancestors_[0] if ancestors_ else None
    return Info(
        id=entity_id,
        name=str(name or entity_id),
        type=_attr(raw, "type", "kind"),
        names={str(k): v for k, v in names.items()},
        aliases=aliases,
        parent=parent,
    )


def describe(entity_id: str) -> Info | None:
    raw = recognizer().describe(entity_id)
    if raw is None:
        raw = recognizer().get(entity_id)
    return None if raw is None else _info(entity_id, raw)


def lookup(prefix: str, limit: int) -> list[Info]:
    out: list[Info] = []
    for item in recognizer().lookup(prefix, limit):
        entity_id = item if isinstance(item, str) else _attr(item, "id")
        if not entity_id:
            continue
        info = describe(str(entity_id))
        if info is not None:
            out.append(info)
    return out


def children(entity_id: str) -> list[str]:
    return [c if isinstance(c, str) else str(_attr(c, "id")) for c in recognizer().children(entity_id)]


def ancestors(entity_id: str) -> list[str]:
    return [a if isinstance(a, str) else str(_attr(a, "id")) for a in recognizer().ancestors(entity_id)]
