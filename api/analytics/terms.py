"""What the analytics endpoints count: tags, entities, sources, languages and key terms, as
``terms`` aggregations on keyword fields, and their display labels."""

from __future__ import annotations

from typing import Any

from api.errors import invalid
from api.present.entity import entity_name, entity_type
from api.present.facets import tag_labels
from api.query import entities
from api.query.tags import literal
from indexer.index import TAG_LABEL_SEP

FIELDS = {
    "tag": "tag_keys",
    "entity": "entity_ids",  # entities a post names itself (not their ancestors)
    "source": "source",
    "lang": "langs",
    "key_term": "key_terms",
}
# a key term with a kana or kanji in it is a Japanese word
JA_TERM_RE = ".*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005].*"


def check_type(by: str, entity_type: str | None) -> str | None:
    if entity_type is None or not entity_type.strip():
        return None
    if by != "entity":
        raise invalid("type", "type= goes with by=entity only", entity_type)
    value = entity_type.strip().lower()
    known = entities.entity_types()  # version rules make models too
    if value not in known:
        raise invalid(
            "type",
            f"unknown entity type {entity_type!r}; choose from {', '.join(known)}",
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
        by_type = entities.ids_by_type()
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


def item_type(by: str, key: str) -> str | None:
    """The entity type of an item counted ``by`` entity; other items have none."""
    return entity_type(key) if by == "entity" else None


def labels_agg(tag_keys: list[str]) -> dict[str, Any]:
    """The spellings of these tags (``tag_labels`` is ``key\\x1fdisplay``)."""
    if not tag_keys:
        return {"terms": {"field": "tag_labels", "size": 1, "include": ["\u0000"]}}
    pattern = "(" + "|".join(literal(k) for k in tag_keys) + ")" + literal(TAG_LABEL_SEP) + ".*"
    return {"terms": {"field": "tag_labels", "size": min(len(tag_keys) * 8, 2000), "include": pattern}}


def parse_labels(aggs: dict[str, Any], name: str) -> dict[str, str]:
    return tag_labels(buckets(aggs, name))


def label(by: str, key: str, tags: dict[str, str] | None = None) -> str | None:
    if by == "tag":
        return (tags or {}).get(key, key)
    if by == "entity":
        return entity_name(key)
    return key
