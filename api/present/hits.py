"""Elasticsearch hits -> response items."""

from __future__ import annotations

from typing import Any

from api.models import SearchHit, TagOut
from api.models import Snippet as SnippetOut
from api.present.highlight import Highlighter, Snippet, lead_snippet, passage_focus

SUMMARY_CHARS = 400

# _source fields a search hit needs (texts for titles, summaries and highlighting)
HIT_SOURCE = [
    "id",
    "url",
    "doc_type",
    "lang",
    "texts",
    "source",
    "authors",
    "published",
    "tags",
    "importance",
    "entity_ids",
    "key_points",
    "impact",
    "editorial",
]
# what a hit without highlights needs: a digest's 140k-character body is not read or sent
LIST_SOURCE = [
    *(f for f in HIT_SOURCE if f not in ("texts", "key_points", "impact", "editorial")),
    *(f"texts.{lang}.{part}" for lang in ("ja", "en") for part in ("title", "summary")),
]
# _source fields of a reference to a post (``ref_fields``)
REF_SOURCE = ["id", "url", "texts.ja.title", "texts.en.title", "published", "source", "lang"]


def titles(src: dict[str, Any]) -> dict[str, str]:
    texts = src.get("texts") or {}
    return {lang: t["title"] for lang in ("ja", "en") if (t := texts.get(lang)) and t.get("title")}


def display_title(src: dict[str, Any]) -> str:
    t = titles(src)
    return t.get("ja") or t.get("en") or ""


def ref_fields(hit: dict[str, Any]) -> dict[str, Any]:
    """What every reference to a post shows (``PostRef`` and the posts that extend it) from a
    hit with the ``REF_SOURCE`` fields."""
    src = hit["_source"]
    return {"id": str(src.get("id") or hit["_id"]), "title": display_title(src), "url": src.get("url"),
            "published": src.get("published"), "source": src.get("source"), "lang": src.get("lang")}


def summary(src: dict[str, Any]) -> str | None:
    texts = src.get("texts") or {}
    for lang in ("ja", "en"):
        s = ((texts.get(lang) or {}).get("summary") or "").strip()
        if s:
            return s if len(s) <= SUMMARY_CHARS else s[: SUMMARY_CHARS - 1] + "…"
    return None


def _snippet_out(s: Snippet) -> SnippetOut:
    return SnippetOut(
        lang=s.lang,  # type: ignore[arg-type]
        field=s.field,  # type: ignore[arg-type]
        text=s.text,
        html=s.html,
        marks=s.marks,
        truncated_start=s.truncated_start,
        truncated_end=s.truncated_end,
    )


def to_hit(hit: dict[str, Any], highlighter: Highlighter | None, with_score: bool) -> SearchHit:
    src = hit.get("_source") or {}
    snippets: list[Snippet] = []
    if highlighter is not None:
        snippets = highlighter.snippets(src, passage_focus(hit)) if not highlighter.empty else []
        if not snippets:
            snippets = lead_snippet(src)
    return SearchHit(
        id=str(src.get("id") or hit["_id"]),
        url=src.get("url"),
        title=display_title(src),
        titles=titles(src),
        summary=summary(src),
        published=src.get("published"),
        source=src.get("source"),
        authors=list(src.get("authors") or []),
        lang=src.get("lang"),
        doc_type=str(src.get("doc_type") or "post"),
        tags=[TagOut(key=t["key"], display=t["display"]) for t in src.get("tags") or [] if t.get("key")],
        entities=list(src.get("entity_ids") or []),
        importance=src.get("importance"),
        score=hit.get("_score") if with_score else None,
        highlights=[_snippet_out(s) for s in snippets],
    )
