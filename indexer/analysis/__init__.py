"""Text analysis shared by the indexer and the search API: the public face of the package.

Other packages import analysis names from here, not from the modules below, so the modules can
be rearranged without touching their callers.

* Posts: ``analyze_post`` -> ``PostAnalysis`` (language, token streams, entities, key terms);
  ``set_cache_mb`` sizes the per-process line memo.
* Text: ``tokenize`` (-> ``Token``), ``index_fields`` (-> ``IndexText``), ``query_terms``
  (-> ``QueryText``), ``content_words`` (-> ``QueryWord``: a query's content words),
  ``equivalents`` (``見分ける`` -> ``判別`` ``検出``: what posts write for a verb typed in a query),
  ``is_intent_word`` (``使い方``, ``tutorial``: asks for a kind of post, not a topic).
* Entities: ``load_kb`` -> ``KnowledgeBase`` (lookups: ``describe``, ``children``,
  ``ancestors``, prefix ``lookup``, ``exists``, ``types``; yields ``Entity``);
  ``get_recognizer`` -> ``EntityRecognizer`` (finds ``Mention``s in text and queries).
* Tags: ``tag_key``, ``raw_tag_key``, ``tag_display``.
* Normalization and script: ``fold``, ``normalize``, ``keyword_key``, ``has_japanese``,
  ``detect_lang``.

Only the light modules (no spaCy, no MeCab, no knowledge base) are imported with the package;
every other name is imported on first use (PEP 562 ``__getattr__``), so a reader that needs
``tag_key`` does not pay for the tokenizers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.analysis.lang import detect_lang
from indexer.analysis.normalize import fold, keyword_key, normalize
from indexer.analysis.segment import has_japanese
from indexer.analysis.tags import raw_tag_key, tag_display, tag_key
from indexer.analysis.tokens import Token
from indexer.lazy import lazy_names

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from indexer.analysis.entities import EntityRecognizer, Mention, get_recognizer
    from indexer.analysis.entities_kb import Entity, KnowledgeBase, load_kb
    from indexer.analysis.lines import set_cache_mb
    from indexer.analysis.pipeline import PostAnalysis, analyze_post
    from indexer.analysis.query_words import QueryWord, content_words, equivalents, is_intent_word
    from indexer.analysis.text import IndexText, QueryText, index_fields, query_terms, tokenize

# name -> module that defines it; imported by ``__getattr__`` when first asked for
_LAZY = {
    "Entity": "entities_kb",
    "KnowledgeBase": "entities_kb",
    "load_kb": "entities_kb",
    "EntityRecognizer": "entities",
    "Mention": "entities",
    "get_recognizer": "entities",
    "IndexText": "text",
    "QueryText": "text",
    "index_fields": "text",
    "query_terms": "text",
    "tokenize": "text",
    "QueryWord": "query_words",
    "content_words": "query_words",
    "equivalents": "query_words",
    "is_intent_word": "query_words",
    "PostAnalysis": "pipeline",
    "analyze_post": "pipeline",
    "set_cache_mb": "lines",
}

__all__ = [
    "Entity",
    "EntityRecognizer",
    "IndexText",
    "KnowledgeBase",
    "Mention",
    "PostAnalysis",
    "QueryText",
    "QueryWord",
    "Token",
    "analyze_post",
    "content_words",
    "detect_lang",
    "equivalents",
    "fold",
    "get_recognizer",
    "has_japanese",
    "index_fields",
    "is_intent_word",
    "keyword_key",
    "load_kb",
    "normalize",
    "query_terms",
    "raw_tag_key",
    "set_cache_mb",
    "tag_display",
    "tag_key",
    "tokenize",
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
