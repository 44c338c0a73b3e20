"""OpenAPI types of the parameters whose values come from a list or a grammar (time zones,
entities, the co-occurrence anchor, facet and field names, cursors): a generated client, or a
schema-driven test, then sends only values the code accepts.

Each is a ``json_schema_extra`` callable: the schema is built when /openapi.json is first asked
for (the zone list and the entity knowledge base are loaded by then), and it replaces the
plain ``string`` that the Python type gives. The code still checks every value itself.
Rules that tie two parameters together (``to`` not before ``from``, ``type`` only with
``by=entity``, ...) cannot be written in OpenAPI: the parameters' descriptions state them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from api.query import entities
from api.query.period import zone_names

OFFSET_PATTERN = r"^[+-]((0[0-9]|1[0-7]):?[0-5][0-9]|18:?00)$"
CURSOR_PATTERN = r"^(\*|[A-Za-z0-9_-]+)$"  # "*" or base64url, as next_cursor is
POST_ID_PATTERN = r"^[0-9a-f]{20}$"  # indexer.post: 20 hex digits of a SHA-1
# a tag needs a letter or a digit (ASCII here, as a schema pattern can say; any script works)
TAG_PATTERN = r"^.*[A-Za-z0-9].*$"

Extra = Callable[[dict[str, Any]], None]


def _replace(build: Callable[[], dict[str, Any]], many: bool = False, max_items: int | None = None) -> Extra:
    """An extra that swaps the parameter's type (``str | None`` or ``list[str] | None``) for
    ``build()``, keeping title and description."""

    def extra(schema: dict[str, Any]) -> None:
        for key in ("anyOf", "type", "pattern", "maxLength", "minLength", "items"):
            schema.pop(key, None)
        one = build()
        schema.update({"type": "array", "items": one} if many else one)
        if max_items is not None:
            schema["maxItems"] = max_items

    return extra


def _tz() -> dict[str, Any]:
    by_name = {"type": "string", "enum": zone_names()}
    return {"anyOf": [by_name, {"type": "string", "pattern": OFFSET_PATTERN}]}


@functools.cache
def entity_ids() -> list[str]:
    """Every entity the knowledge base lists (the enum of ``entity=`` and of the anchor)."""
    return entities.entity_ids()


def _entity() -> dict[str, Any]:
    return {"type": "string", "enum": entity_ids()}


def _anchor() -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "enum": [f"entity:{i}" for i in entity_ids()]},
            {"type": "string", "pattern": r"^tag:[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"},
        ]
    }


def _entity_type() -> dict[str, Any]:
    return {"type": "string", "enum": entities.entity_types()}


def comma_list(names: Iterable[str]) -> Extra:
    """Comma-separated names out of ``names`` (repeatable)."""
    words = "|".join(sorted(names))
    return _replace(lambda: {"type": "string", "pattern": rf"^({words})(,({words}))*$"}, many=True)


def values(max_items: int, max_chars: int, pattern: str | None = None) -> Extra:
    """A repeatable filter: at most ``max_items`` values of at most ``max_chars`` characters."""
    item: dict[str, Any] = {"type": "string", "maxLength": max_chars}
    if pattern:
        item["pattern"] = pattern
    return _replace(lambda: dict(item), many=True, max_items=max_items)


def entity_values(max_items: int) -> Extra:
    return _replace(_entity, many=True, max_items=max_items)


TZ_SCHEMA = _replace(_tz)
ANCHOR_SCHEMA = _replace(_anchor)
ENTITY_TYPE_SCHEMA = _replace(_entity_type)
CURSOR_SCHEMA = _replace(lambda: {"type": "string", "pattern": CURSOR_PATTERN, "maxLength": 8192})
POST_ID_SCHEMA = _replace(lambda: {"type": "string", "pattern": POST_ID_PATTERN})
