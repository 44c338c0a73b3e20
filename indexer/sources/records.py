"""One JSON object -> one ``Post``: the canonical form (has ``texts``) or the flat form.

The flat form is also what the shared corpus files hold; their extra fields (origin_*,
ai_related, facets, feeds, machine_translated, translation_id, collection_url, collected) are
ignored. See indexer/schema/README.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from indexer.post import Lang, LangText, Post, make_post_id
from indexer.sources._common import doc_type, make_tags, nothing_to_index, single_text, text_lang
from indexer.sources._dates import to_datetime
from indexer.sources.base import SourceError

_PUBLISHED_SCHEMA = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "null"},
    ],
    "default": None,
    "description": "YYYY-MM-DD (midnight UTC) or an ISO 8601 date-time; without an offset it is UTC",
}
_ANALYSIS_FIELDS = ("lang", "entities", "key_terms", "content_hash", "ingested_at")


class FlatPost(BaseModel):
    """The convenient input form: one title/summary/body, tags as plain strings."""

    model_config = ConfigDict(extra="ignore", title="FlatPost")

    id: str | int | None = Field(None, description="kept as the post id; else derived from url")
    url: str | None = None
    doc_type: str | None = Field(None, description="post, aggregator_page, newsletter_issue, "
                                 "news_item or feed_item (a few aliases accepted)")
    title: str | None = ""
    summary: str | None = ""
    body: str | None = ""
    lang: str | None = Field(None, description="declared language; the text's script decides")
    source: str | None = None
    authors: list[str] | str = Field(default_factory=list)
    published: Annotated[str | None, WithJsonSchema(_PUBLISHED_SCHEMA)] = None
    reading_minutes: int | None = Field(None, ge=0)
    tags: list[str] = Field(default_factory=list, description="as written; a leading '#' is dropped")
    collection: str | None = None
    translation_of: str | None = None


def _flat(obj: dict[str, Any]) -> Post:
    rec = FlatPost.model_validate(obj)
    texts = single_text(rec.title or "", rec.summary or "", rec.body or "", rec.lang)
    if nothing_to_index(texts):
        raise SourceError("nothing to index: no title, summary or body")
    try:
        published = to_datetime(rec.published) if rec.published else None
    except ValueError as e:
        raise SourceError(f"published: {e}") from None
    title = (rec.title or "").strip()
    authors = [rec.authors] if isinstance(rec.authors, str) else rec.authors
    pid = str(rec.id).strip() if rec.id is not None else ""
    return Post(
        id=pid or make_post_id(rec.url, rec.source, title, published),
        url=rec.url or None,
        doc_type=doc_type(rec.doc_type),
        texts=texts,
        source=rec.source or None,
        authors=authors,
        published=published,
        reading_minutes=rec.reading_minutes,
        tags=make_tags(rec.tags),
        collection=rec.collection or None,
        translation_of=rec.translation_of or None,
    )


def _relocate(texts: dict[Lang, LangText]) -> dict[Lang, LangText]:
    """Move a text block whose script says another language into that slot when it is free."""
    out = dict(texts)
    for declared, t in texts.items():
        found = text_lang(t.joined(), declared)
        if found != declared and found not in out:
            out[found] = out.pop(declared)
    return out


def _canonical(obj: dict[str, Any]) -> Post:
    post = Post.model_validate(obj)
    if nothing_to_index(post.texts):
        raise SourceError("nothing to index: every text is empty")
    # analysis owns these; an exported post re-read here gets them recomputed
    reset = {name: Post.model_fields[name].get_default(call_default_factory=True)
             for name in _ANALYSIS_FIELDS}
    return post.model_copy(update={**reset, "texts": _relocate(post.texts)})


def record_to_post(obj: object) -> Post:
    """Raises SourceError or pydantic.ValidationError with the reason the record is unusable."""
    if not isinstance(obj, dict):
        kind = {list: "an array", str: "a string", type(None): "null"}.get(type(obj), type(obj).__name__)
        raise SourceError(f"expected a JSON object, got {kind}")
    return _canonical(obj) if "texts" in obj else _flat(obj)


__all__ = ["FlatPost", "ValidationError", "record_to_post"]
