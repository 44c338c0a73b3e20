"""Post + analysis -> the Elasticsearch document (and back). Twin of ``mapping.py``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from indexer.analysis import keyword_key, load_kb
from indexer.index import fields as F
from indexer.post import EntityMention, Post

if TYPE_CHECKING:  # only a type here: importing it would load the tokenizers with this module
    from indexer.analysis import PostAnalysis

# Fields of the document that are not part of the Post model.
DERIVED_FIELDS = (
    "langs",
    "source_key",
    "author_keys",
    "tag_keys",
    "tag_labels",
    "importance",
    "entity_ids",
    "entity_tree",
    "entity_types",
    "text_chars",
    F.SEARCH,
)


def apply_analysis(post: Post, analysis: PostAnalysis, now: datetime | None = None) -> Post:
    """The post with the fields analysis owns filled in."""
    ranked = sorted(analysis.entities.items(), key=lambda kv: (-kv[1], kv[0]))
    return post.model_copy(
        update={
            "lang": analysis.lang,
            "entities": [EntityMention(id=i, count=c) for i, c in ranked],
            "key_terms": analysis.key_terms,
            "content_hash": post.content_hash or post.compute_hash(),
            "ingested_at": now or datetime.now(UTC),
            "analysis_truncated": analysis.truncated,
        }
    )


def build_document(post: Post, analysis: PostAnalysis, now: datetime | None = None) -> dict[str, Any]:
    """The document of a post as read and its analysis: what an ingest writes."""
    return to_document(apply_analysis(post, analysis, now), analysis)


def to_document(post: Post, analysis: PostAnalysis) -> dict[str, Any]:
    """The document for the index; ``post`` must already carry its analysis fields."""
    doc = post.model_dump(mode="json", exclude_none=False)
    kb = load_kb()
    ids = [m.id for m in post.entities]
    tree: list[str] = []
    types: set[str] = set()
    for entity_id in ids:
        for e in (entity_id, *kb.ancestors(entity_id)):
            if e not in tree:
                tree.append(e)
        info = kb.describe(entity_id)
        if info is not None:
            types.add(info.type)
    doc.update(
        {
            "langs": analysis.langs,
            "source_key": keyword_key(post.source) if post.source else None,
            "author_keys": [keyword_key(a) for a in post.authors],
            "tag_keys": list(dict.fromkeys(t.key for t in post.tags)),
            "tag_labels": list(dict.fromkeys(f"{t.key}{F.TAG_LABEL_SEP}{t.display}" for t in post.tags)),
            "importance": post.scores.importance if post.scores else None,
            "entity_ids": ids,
            "entity_tree": tree,
            "entity_types": sorted(types),
            "text_chars": analysis.text_chars,
            F.SEARCH: search_document(analysis),
        }
    )
    return doc


def search_document(analysis: PostAnalysis) -> dict[str, Any]:
    """The ``search`` object: whole-post streams of both languages, and the passages."""
    out: dict[str, Any] = {}
    for part, prefix in (("titles", F.TITLE), ("texts", F.TEXT)):
        for stream, suffix in F.STREAM_SUFFIXES:
            values = [
                getattr(item, stream)
                for la in analysis.search.values()
                for item in getattr(la, part)
                if getattr(item, stream)
            ]
            out[F.leaf(prefix) + suffix] = values
    passages: list[dict[str, Any]] = []
    for lang, la in analysis.search.items():
        for p in la.passages:
            doc: dict[str, Any] = {
                F.leaf(F.PASSAGE_LANG): lang,
                F.leaf(F.PASSAGE_FIELD): p.field,
                F.leaf(F.PASSAGE_START): p.span.start,
                F.leaf(F.PASSAGE_END): p.span.end,
            }
            for stream, suffix in F.STREAM_SUFFIXES:
                value = getattr(p.span.fields, stream)
                if value:
                    doc[F.leaf(F.PASSAGE_TEXT) + suffix] = value
            passages.append(doc)
    out[F.leaf(F.PASSAGES)] = passages
    return out


def from_source(source: dict[str, Any]) -> Post:
    """The Post stored in a document's ``_source`` (derived fields dropped)."""
    data = {k: v for k, v in source.items() if k not in DERIVED_FIELDS}
    return Post.model_validate(data)
