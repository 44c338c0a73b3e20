"""The index mapping. Its twin is ``document.py``: a field is added in both, side by side.

Only core Elasticsearch is used. Language analysis happens in Python, so every searchable
text field holds space-joined normalized tokens and is indexed with the ``whitespace``
analyzer. Those token fields are left out of ``_source``: the originals are what we keep,
display and highlight, and reindexing re-analyzes from them.
"""

from __future__ import annotations

from typing import Any

from indexer.index import fields as F

MAPPING_VERSION = 2  # 2: token fields shared by both languages; nested passages


def _tokens() -> dict[str, Any]:
    # position_increment_gap keeps phrases from matching across the values of a field
    return {"type": "text", "analyzer": "whitespace", "position_increment_gap": 100}


def search_fields() -> dict[str, Any]:
    """``search``: the token streams of the whole post and of its passages (see ``fields``)."""
    whole_fields = (F.TITLE, F.TITLE_BASE, F.TITLE_BIGRAM, F.TEXT, F.TEXT_BASE, F.TEXT_BIGRAM)
    whole: dict[str, Any] = {F.leaf(f): _tokens() for f in whole_fields}
    passage_fields = (F.PASSAGE_TEXT, F.PASSAGE_BASE, F.PASSAGE_BIGRAM)
    passage: dict[str, Any] = {F.leaf(f): _tokens() for f in passage_fields}
    passage.update(
        {
            F.leaf(F.PASSAGE_LANG): {"type": "keyword"},
            F.leaf(F.PASSAGE_FIELD): {"type": "keyword"},
            F.leaf(F.PASSAGE_START): {"type": "integer", "index": False},
            F.leaf(F.PASSAGE_END): {"type": "integer", "index": False},
        }
    )
    whole[F.leaf(F.PASSAGES)] = {"type": "nested", "properties": passage}
    return {"properties": whole}


def _stored_text() -> dict[str, Any]:
    return {"type": "text", "index": False}


def _lang_text() -> dict[str, Any]:
    return {"properties": {k: _stored_text() for k in ("title", "summary", "body")}}


def mappings() -> dict[str, Any]:
    kw = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "_source": {"excludes": [f"{F.SEARCH}.*"]},
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
            "id": kw,
            "url": {"type": "keyword", "ignore_above": 2048},
            "doc_type": kw,
            "lang": kw,
            "langs": kw,
            "texts": {"properties": {lang: _lang_text() for lang in F.LANGS}},
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
            F.SEARCH: search_fields(),
        },
    }


def index_settings(shards: int, replicas: int) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # long newsletter issues have many tokens; highlighting happens in Python
        "max_result_window": 10000,
    }
