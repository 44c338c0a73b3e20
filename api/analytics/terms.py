"""What the analytics endpoints count: tags, entities, sources, languages and key terms, as
``terms`` aggregations on keyword fields, and their display labels."""

from __future__ import annotations

import functools
from typing import Any

from api.analytics.period import invalid
from api.present.facets import TAG_LABEL_SEP, tag_labels
from api.query import entities

FIELDS = {
    "tag": "tag_keys",
    "entity": "entity_ids",  # entities a post names itself (not their ancestors)
    "source": "source",
    "lang": "langs",
    "key_term": "key_terms",
}
# a key term with a kana or kanji in it is a Japanese word
JA_TERM_RE = ".*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005].*"


def _kb_entities() -> dict[str, Any]:
    kb = getattr(entities.recognizer(), "kb", None)
    found = getattr(kb, "entities", None)
    return dict(found) if isinstance(found, dict) else {}


@functools.cache
def _ids_by_type() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for entity_id, e in _kb_entities().items():
        out.setdefault(str(getattr(e, "type", "") or ""), set()).add(entity_id)
    return {k: frozenset(v) for k, v in out.items() if k}


def entity_ids() -> list[str]:
    """Every entity of the knowledge base (for the OpenAPI schema)."""
    return sorted(_kb_entities())


def entity_types() -> list[str]:
    return sorted(set(_ids_by_type()) | {"model"})  # version rules make models too


def check_type(by: str, entity_type: str | None) -> str | None:
    if entity_type is None or not entity_type.strip():
        return None
    if by != "entity":
        raise invalid("type", "type= goes with by=entity only", entity_type)
    value = entity_type.strip().lower()
    if value not in entity_types():
        raise invalid(
            "type",
            f"unknown entity type {entity_type!r}; choose from {', '.join(entity_types())}",
            entity_type,
        )
    return value


def check_term_lang(by: str, term_lang: str | None) -> str | None:
    if term_lang is not None and by != "key_term":
        raise invalid("term_lang", "term_lang= goes with by=key_term only", term_lang)
    return term_lang


def terms_agg(
    by: str, size: int, entity_type: str | None = None, term_lang: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A terms aggregation over ``by``, limited to one entity type or one script of key terms."""
    body: dict[str, Any] = {"field": FIELDS[by], "size": size, **extra}
    if entity_type is not None:
        by_type = _ids_by_type()
        if entity_type == "model":  # dynamic entities are models: leave out every other type
            others = sorted({i for t, ids in by_type.items() if t != "model" for i in ids})
            if others:
                body["exclude"] = others
        else:
            body["include"] = sorted(by_type.get(entity_type, ())) or ["\u0000"]
    if term_lang == "ja":
        body["include"] = JA_TERM_RE
    elif term_lang == "en":
        body["exclude"] = JA_TERM_RE
    return {"terms": body}


def exact_agg(by: str, keys: list[str]) -> dict[str, Any]:
    """Exact counts of exactly these keys (every shard returns every one of them)."""
    return {"terms": {"field": FIELDS[by], "size": max(1, len(keys)), "include": keys or ["\u0000"]}}


def buckets(aggs: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list(((aggs or {}).get(name) or {}).get("buckets") or [])


def counts(aggs: dict[str, Any], name: str) -> dict[str, int]:
    return {str(b["key"]): int(b["doc_count"]) for b in buckets(aggs, name)}


def entity_type_of(entity_id: str) -> str | None:
    info = entities.describe(entity_id)
    return info.type if info else None


def entity_label(entity_id: str) -> str | None:
    info = entities.describe(entity_id)
    return info.name if info else None


def _regex_literal(text: str) -> str:
    return "".join(ch if ch.isalnum() else "\\" + ch for ch in text)


def labels_agg(tag_keys: list[str]) -> dict[str, Any]:
    """The spellings of these tags (``tag_labels`` is ``key\\x1fdisplay``)."""
    if not tag_keys:
        return {"terms": {"field": "tag_labels", "size": 1, "include": ["\u0000"]}}
    pattern = "(" + "|".join(_regex_literal(k) for k in tag_keys) + ")" + _regex_literal(TAG_LABEL_SEP) + ".*"
    return {"terms": {"field": "tag_labels", "size": min(len(tag_keys) * 8, 2000), "include": pattern}}


def parse_labels(aggs: dict[str, Any], name: str) -> dict[str, str]:
    return tag_labels(buckets(aggs, name))


def label(by: str, key: str, tags: dict[str, str] | None = None) -> str | None:
    if by == "tag":
        return (tags or {}).get(key, key)
    if by == "entity":
        return entity_label(key)
    return key


def ancestors(entity_id: str) -> list[str]:
    return entities.ancestors(entity_id)
