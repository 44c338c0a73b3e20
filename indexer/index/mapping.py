"""The index mapping. Its twin is ``document.py``: a field is added in both, side by side.

Only core Elasticsearch is used. Language analysis happens in Python, so every searchable
text field holds space-joined normalized tokens and is indexed with the ``whitespace``
analyzer. Those token fields are left out of ``_source``: the originals are what we keep,
display and highlight, and reindexing re-analyzes from them.
"""

from __future__ import annotations

from typing import Any

MAPPING_VERSION = 1

# Token fields: (language, field) -> whether the field gets bigrams (Japanese only).
TEXT_PARTS = ("title", "text")
SEARCH_LANGS = ("ja", "en")


def _tokens() -> dict[str, Any]:
    # position_increment_gap keeps phrases from matching across the values of a field
    return {"type": "text", "analyzer": "whitespace", "position_increment_gap": 100}


def search_fields() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for lang in SEARCH_LANGS:
        fields: dict[str, Any] = {}
        for part in TEXT_PARTS:
            fields[part] = _tokens()
            fields[f"{part}_base"] = _tokens()
            if lang == "ja":
                fields[f"{part}_bigram"] = _tokens()
        props[lang] = {"properties": fields}
    return {"properties": props}


def _stored_text() -> dict[str, Any]:
    return {"type": "text", "index": False}


def _lang_text() -> dict[str, Any]:
    return {"properties": {k: _stored_text() for k in ("title", "summary", "body")}}


def mappings() -> dict[str, Any]:
    kw = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "_source": {"excludes": ["search.*"]},
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
            "id": kw,
            "url": {"type": "keyword", "ignore_above": 2048},
            "doc_type": kw,
            "lang": kw,
            "langs": kw,
            "texts": {"properties": {lang: _lang_text() for lang in SEARCH_LANGS}},
            "source": kw,
            "source_key": kw,
            "authors": kw,
            "author_keys": kw,
            "published": {"type": "date"},
            "reading_minutes": {"type": "integer"},
            "tags": {"properties": {"display": kw, "key": kw}},
            "tag_keys": kw,
            "tag_labels": kw,  # "key\x1fdisplay": facet labels without a second query
            "importance": {"type": "integer"},
            "scores": {
                "properties": {
                    "importance": {"type": "integer"},
                    "label": kw,
                    "analyzed_at": {"type": "date"},
                    "sub_scores": {
                        "properties": {
                            "name": kw,
                            "weight": {"type": "integer"},
                            "value": {"type": "float"},
                        }
                    },
                }
            },
            "key_points": {"properties": {"title": _stored_text(), "text": _stored_text()}},
            "impact": _stored_text(),
            "editorial": _stored_text(),
            "toc": _stored_text(),
            "related": {"type": "object", "enabled": False},
            "collection": {"type": "keyword", "ignore_above": 1024},
            "translation_of": kw,
            "entities": {"properties": {"id": kw, "count": {"type": "integer"}}},
            "entity_ids": kw,  # entities the text names
            "entity_tree": kw,  # those plus their ancestors: entity:anthropic finds Opus 4.8 posts
            "entity_types": kw,
            "key_terms": kw,
            "content_hash": kw,
            "ingested_at": {"type": "date"},
            "analysis_version": {"type": "integer"},
            "analysis_truncated": {"type": "boolean"},
            "text_chars": {"type": "integer"},
            "search": search_fields(),
        },
    }


def index_settings(shards: int, replicas: int) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # long newsletter issues have many tokens; highlighting happens in Python
        "max_result_window": 10000,
    }
