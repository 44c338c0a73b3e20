"""The canonical post: the one schema that readers produce and the index stores.

Readers fill what their format has; analysis (indexer.analysis.pipeline) fills ``lang``,
``entities``, ``key_terms`` and ``content_hash``. The JSON Schema in
``indexer/schema/post.schema.json`` is generated from ``Post`` (``aiposts-index schema``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

Lang = Literal["ja", "en"]
DocType = Literal["post", "aggregator_page", "newsletter_issue", "news_item", "feed_item"]

# bump when tokenization or entity rules change: ingest and reindex re-analyze older posts
ANALYSIS_VERSION = 4  # 2: texts are analyzed line by line; 3: passages, shared token fields; 4: KB 2


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class LangText(_Model):
    """Title, summary and body in one language, exactly as the source wrote them."""

    title: str = ""
    summary: str = ""
    body: str = ""

    def is_empty(self) -> bool:
        return not (self.title.strip() or self.summary.strip() or self.body.strip())

    def joined(self) -> str:
        return "\n".join(t for t in (self.title, self.summary, self.body) if t)


class SubScore(_Model):
    name: str
    weight: int | None = Field(None, description="percent of the importance score")
    value: float | None = None


class Scores(_Model):
    importance: int | None = Field(None, ge=1, le=5)
    label: str | None = Field(None, description="the aggregator's word for the importance, e.g. 重要")
    analyzed_at: AwareDatetime | None = None
    sub_scores: list[SubScore] = Field(default_factory=list)


class KeyPoint(_Model):
    title: str
    text: str = ""


class RelatedPost(_Model):
    title: str
    source: str | None = None
    stars: int | None = Field(None, ge=0, le=5)
    published: AwareDatetime | None = None
    summary: str = ""


class EntityMention(_Model):
    id: str
    count: int = Field(ge=1)


class Tag(_Model):
    display: str
    key: str


class Post(_Model):
    id: str = Field(min_length=1, max_length=512)
    url: str | None = None
    doc_type: DocType = "post"
    lang: Literal["ja", "en", "both"] | None = Field(
        None, description="detected from the text; set by analysis"
    )
    texts: dict[Lang, LangText] = Field(default_factory=dict)
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: AwareDatetime | None = None
    reading_minutes: int | None = Field(None, ge=0)
    tags: list[Tag] = Field(default_factory=list)
    scores: Scores | None = None
    key_points: list[KeyPoint] = Field(default_factory=list)
    impact: str = ""
    editorial: str = ""
    toc: list[str] = Field(default_factory=list)
    related: list[RelatedPost] = Field(default_factory=list)
    collection: str | None = Field(None, description="the digest or issue an item belongs to")
    translation_of: str | None = None
    entities: list[EntityMention] = Field(default_factory=list)
    key_terms: list[str] = Field(default_factory=list)
    content_hash: str | None = None
    ingested_at: AwareDatetime | None = None
    analysis_version: int = ANALYSIS_VERSION
    analysis_truncated: bool = Field(
        False, description="the body was longer than the analysis limit; the rest is stored, not tokenized"
    )

    @field_validator("authors")
    @classmethod
    def _drop_blank_authors(cls, v: list[str]) -> list[str]:
        return [a.strip() for a in v if a and a.strip()]

    def text(self, lang: Lang) -> LangText:
        return self.texts.get(lang) or LangText()

    @property
    def display_title(self) -> str:
        for lang in ("ja", "en"):
            t = self.texts.get(lang)  # type: ignore[call-overload]
            if t and t.title:
                return t.title
        return ""

    def char_count(self) -> int:
        """Characters of text analysis will read: what batches and the pool are sized by."""
        return sum(len(t.title) + len(t.summary) + len(t.body) for t in self.texts.values())

    def compute_hash(self) -> str:
        """Hash of what the source said; analysis output and ingest time are left out."""
        payload = self.model_dump_json(
            exclude={"entities", "key_terms", "content_hash", "ingested_at", "lang", "analysis_truncated"}
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def make_post_id(url: str | None, source: str | None, title: str, published: datetime | None) -> str:
    """A stable id: from the canonical URL when there is one, else from source+title+date."""
    if url:
        basis = "url:" + canonical_url(url)
    else:
        stamp = published.isoformat() if published else ""
        basis = f"sig:{source or ''}\x1f{title.strip()}\x1f{stamp}"
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:20]


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no trailing slash, no tracking parameters."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in {"ref", "fbclid", "gclid"}
    ]
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))
