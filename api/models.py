"""Response models of the /v1 endpoints (pydantic v2), with the examples OpenAPI shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from indexer.post import Post


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# -- search ----------------------------------------------------------------------------------


class TagOut(_Out):
    key: str = Field(description="normalized key (filters use it)", examples=["model-welfare"])
    display: str = Field(description="as the post wrote it", examples=["Model Welfare"])


class Snippet(_Out):
    lang: Literal["ja", "en"]
    field: Literal["title", "summary", "body", "key_points", "impact", "editorial"] = Field(
        description="where the text is: the post's title, summary or body, or (aggregator pages) "
        "its key points, impact or editorial section"
    )
    text: str = Field(description="the original text of the fragment, unchanged")
    html: str = Field(description="the fragment HTML-escaped, each match in <mark>…</mark>")
    marks: list[tuple[int, int]] = Field(description="[start, end) of each match within text")
    truncated_start: bool = Field(False, description="the fragment starts inside the field")
    truncated_end: bool = Field(False, description="the fragment ends inside the field")


class SearchHit(_Out):
    id: str
    url: str | None = None
    title: str = Field(description="the Japanese title when there is one, else the English")
    titles: dict[str, str] = Field(default_factory=dict, description="title per language")
    summary: str | None = Field(None, description="start of the summary (at most 400 characters)")
    published: datetime | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    lang: str | None = Field(None, description="ja, en or both")
    doc_type: str
    tags: list[TagOut] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list, description="entity ids, most mentioned first")
    importance: int | None = None
    score: float | None = Field(None, description="relevance score (relevance sort only)")
    highlights: list[Snippet] = Field(default_factory=list)


class FacetBucket(_Out):
    key: str
    label: str | None = Field(None, description="display name (tag spelling, entity name)")
    count: int


class QueryWarning(_Out):
    message: str
    position: int = Field(description="0-based offset into q")


class EntityRef(_Out):
    id: str
    name: str | None = None
    type: str | None = None


class QueryInfo(_Out):
    q: str | None = None
    match: str = Field("all", description="how many of q's top-level words a post needed: best/all/most/any")
    common_words: list[str] = Field(
        default_factory=list,
        description="words in most posts (AI): under match=best they rank, but match only beside rarer words",
    )
    entities: list[EntityRef] = Field(
        default_factory=list, description="entities the query names: posts carrying them match too"
    )
    warnings: list[QueryWarning] = Field(default_factory=list, description="parts of q repaired or ignored")


class SearchResponse(_Out):
    total: int = Field(description="exact number of matching posts")
    took_ms: int
    timed_out: bool = Field(False, description="Elasticsearch stopped early: hits and totals may be short")
    partial: bool = Field(False, description="some shards failed: hits and totals may be short")
    page: int | None = Field(None, description="the page (page mode), null in cursor mode")
    size: int
    sort: str
    hits: list[SearchHit]
    next_cursor: str | None = Field(
        None, description="pass as cursor= (with the same q, filters and sort) for the next page"
    )
    facets: dict[str, list[FacetBucket]] | None = None
    query: QueryInfo

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 8,
                    "took_ms": 12,
                    "timed_out": False,
                    "partial": False,
                    "page": 1,
                    "size": 10,
                    "sort": "relevance",
                    "hits": [
                        {
                            "id": "sample-jl-10",
                            "url": "https://example.example/opus-4-8-welfare",
                            "title": "What changed in the Opus 4.8 welfare section",
                            "titles": {"en": "What changed in the Opus 4.8 welfare section"},
                            "published": "2026-05-28T10:00:00+00:00",
                            "source": "Example Notes",
                            "authors": ["A. Writer"],
                            "lang": "en",
                            "doc_type": "post",
                            "tags": [{"key": "model-welfare", "display": "Model Welfare"}],
                            "entities": ["claude-opus-4.8", "anthropic"],
                            "importance": None,
                            "score": 12.3,
                            "highlights": [
                                {
                                    "lang": "en",
                                    "field": "title",
                                    "text": "What changed in the Opus 4.8 welfare section",
                                    "html": "What changed in the <mark>Opus 4.8</mark> welfare section",
                                    "marks": [[21, 29]],
                                }
                            ],
                        }
                    ],
                    "next_cursor": "eJyLVkrOz8lJTVGyUlBKS8wpTlXSUUrOL0pVslIqzs9NBQA",
                    "facets": {"langs": [{"key": "en", "count": 5}, {"key": "ja", "count": 4}]},
                    "query": {
                        "q": "Opus 4.8",
                        "entities": [{"id": "claude-opus-4.8", "name": "Claude Opus 4.8"}],
                        "warnings": [],
                    },
                }
            ]
        }
    )


# -- posts -----------------------------------------------------------------------------------


class EntityMentionOut(_Out):
    id: str
    count: int
    name: str | None = None
    type: str | None = None


class PostResponse(_Out):
    post: Post = Field(description="the whole post as stored (original texts, scores, analysis)")
    entities: list[EntityMentionOut] = Field(default_factory=list, description="entities with names")
    tag_keys: list[str] = Field(default_factory=list)


class RelatedPost(_Out):
    id: str
    title: str
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    lang: str | None = None
    score: float
    shared_entities: list[str] = Field(default_factory=list)
    shared_tags: list[str] = Field(default_factory=list)
    translation: bool = Field(False, description="a translation of the post (or the post of it)")


class RelatedResponse(_Out):
    id: str
    related: list[RelatedPost]


# -- tags and entities -----------------------------------------------------------------------


class TagCount(_Out):
    key: str = Field(examples=["model-welfare"])
    label: str = Field(description="the most used spelling", examples=["Model Welfare"])
    count: int = Field(description="posts with the tag")


class TagsResponse(_Out):
    prefix: str | None = None
    tags: list[TagCount]


class EntitySummary(_Out):
    id: str = Field(examples=["anthropic"])
    name: str = Field(examples=["Anthropic"])
    type: str | None = Field(None, examples=["organization"])
    names: dict[str, Any] = Field(default_factory=dict, description="names per language")
    aliases: list[str] = Field(default_factory=list)
    parent: str | None = None
    mention_count: int | None = Field(None, description="posts that name it")


class EntitiesResponse(_Out):
    q: str
    entities: list[EntitySummary]


class PostRef(_Out):
    id: str
    title: str
    published: datetime | None = None
    source: str | None = None
    lang: str | None = None
    url: str | None = None


class EntityCount(_Out):
    id: str
    name: str | None = None
    count: int


class EntityProfile(EntitySummary):
    children: list[EntityRef] = Field(default_factory=list)
    ancestors: list[EntityRef] = Field(default_factory=list)
    tree_mention_count: int = Field(0, description="posts naming it or one of its descendants")
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    co_entities: list[EntityCount] = Field(default_factory=list, description="top co-occurring entities")
    top_tags: list[FacetBucket] = Field(default_factory=list)
    recent_posts: list[PostRef] = Field(default_factory=list)
