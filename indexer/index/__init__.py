"""The index contract and the index itself: the public face of the package.

Other packages (the API, the bench, the tests) import index names from here, not from the
modules below, so the modules can be rearranged without touching their callers.

* Field names (``fields``, also importable as the module: ``from indexer.index import fields
  as F``): ``SEARCH``, the whole-post streams ``TITLE``/``TEXT`` (+ ``_BASE``, ``_BIGRAM``),
  the passages ``PASSAGES``, ``PASSAGE_TEXT`` (+ ``_BASE``, ``_BIGRAM``), ``PASSAGE_LANG``,
  ``PASSAGE_FIELD``, ``PASSAGE_START``, ``PASSAGE_END``, and ``TAG_LABEL_SEP``.
* Mapping: ``mappings``, ``index_settings``, ``MAPPING_VERSION``.
* Documents: ``build_document`` (post + analysis -> document), ``apply_analysis``,
  ``to_document``, ``from_source`` (``_source`` -> post), ``DERIVED_FIELDS``.
* Versioned indices behind an alias: ``ensure_index``, ``current_index``, ``versions``,
  ``create_next_version``, ``swap_alias``, ``drop_index``, ``mapping_version``;
  ``stored_hashes`` (what an ingest compares to skip unchanged posts).
* Writing: ``BulkWriter`` (-> ``BulkResult``), ``Unreachable``.

Only the constants and the mapping are imported with the package: ``indexer.analysis``
imports the field names from its pipeline, in every analysis worker, and must not pull in the
Elasticsearch client with them. Every other name is imported on first use (``indexer.lazy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.index import fields
from indexer.index.fields import (
    PASSAGE_BASE,
    PASSAGE_BIGRAM,
    PASSAGE_END,
    PASSAGE_FIELD,
    PASSAGE_LANG,
    PASSAGE_START,
    PASSAGE_TEXT,
    PASSAGES,
    SEARCH,
    TAG_LABEL_SEP,
    TEXT,
    TEXT_BASE,
    TEXT_BIGRAM,
    TITLE,
    TITLE_BASE,
    TITLE_BIGRAM,
)
from indexer.index.mapping import MAPPING_VERSION, index_settings, mappings
from indexer.lazy import lazy_names

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from indexer.index.bulk import BulkResult, BulkWriter, Unreachable
    from indexer.index.document import (
        DERIVED_FIELDS,
        apply_analysis,
        build_document,
        from_source,
        to_document,
    )
    from indexer.index.store import (
        create_next_version,
        current_index,
        drop_index,
        ensure_index,
        mapping_version,
        stored_hashes,
        swap_alias,
        versions,
    )

# name -> module that defines it; imported by ``__getattr__`` when first asked for
_LAZY = {
    "DERIVED_FIELDS": "document",
    "apply_analysis": "document",
    "build_document": "document",
    "from_source": "document",
    "to_document": "document",
    "create_next_version": "store",
    "current_index": "store",
    "drop_index": "store",
    "ensure_index": "store",
    "mapping_version": "store",
    "stored_hashes": "store",
    "swap_alias": "store",
    "versions": "store",
    "BulkResult": "bulk",
    "BulkWriter": "bulk",
    "Unreachable": "bulk",
}

__all__ = [
    "DERIVED_FIELDS",
    "MAPPING_VERSION",
    "PASSAGES",
    "PASSAGE_BASE",
    "PASSAGE_BIGRAM",
    "PASSAGE_END",
    "PASSAGE_FIELD",
    "PASSAGE_LANG",
    "PASSAGE_START",
    "PASSAGE_TEXT",
    "SEARCH",
    "TAG_LABEL_SEP",
    "TEXT",
    "TEXT_BASE",
    "TEXT_BIGRAM",
    "TITLE",
    "TITLE_BASE",
    "TITLE_BIGRAM",
    "BulkResult",
    "BulkWriter",
    "Unreachable",
    "apply_analysis",
    "build_document",
    "create_next_version",
    "current_index",
    "drop_index",
    "ensure_index",
    "fields",
    "from_source",
    "index_settings",
    "mapping_version",
    "mappings",
    "stored_hashes",
    "swap_alias",
    "to_document",
    "versions",
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
