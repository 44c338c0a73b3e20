"""``GET /v1/tags?prefix=``: tags with post counts, for autocomplete.

The prefix is matched against tag keys (``model w`` -> ``model-w…``, any spelling) and against
the spellings posts used (``モデル`` finds ``モデル福祉`` even when an alias table maps it to
an English key). The prefix only ever reaches Elasticsearch escaped, as a literal.
"""

from __future__ import annotations

from typing import Annotated

from elasticsearch import AsyncElasticsearch
from fastapi import APIRouter, Depends, Query

from api.backend import client, guarded, search_timeout
from api.es import get_es, get_settings
from api.handlers import ERROR_RESPONSES
from api.models import TagCount, TagsResponse
from api.present.facets import TAG_LABEL_SEP, tag_labels
from api.security import require_api_key
from indexer.analysis.tags import raw_tag_key
from indexer.config import Settings

router = APIRouter(prefix="/v1", tags=["tags"], dependencies=[Depends(require_api_key)])


def literal(text: str) -> str:
    """``text`` as a Lucene regular expression that matches it literally."""
    out = []
    for ch in text:
        if (ch.isalnum() and ch.isascii()) or ch.isalnum():
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


def caseless(text: str) -> str:
    """A Lucene regexp for ``text`` that ignores ASCII case."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isalpha():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append(literal(ch))
    return "".join(out)


@router.get("/tags", response_model=TagsResponse, responses=ERROR_RESPONSES, summary="Tags with counts")
async def tags(
    es: Annotated[AsyncElasticsearch, Depends(get_es)],
    settings: Annotated[Settings, Depends(get_settings)],
    prefix: Annotated[str | None, Query(max_length=100, description="start of a tag (any spelling)",
                                        openapi_examples={"welfare": {"value": "model w"}})] = None,
    size: Annotated[int, Query(ge=1, le=100, description="how many tags")] = 20,
) -> TagsResponse:
    es_client = client(es, settings)
    raw = (prefix or "").strip().lstrip("#＃").strip()
    key_prefix = raw_tag_key(raw) if raw else ""
    display = " ".join(raw.split())
    aggs: dict[str, dict[str, object]]
    if raw:
        patterns = [f".*{literal(TAG_LABEL_SEP)}{caseless(display)}.*"]  # the spelling
        if key_prefix:
            patterns.append(f"{literal(key_prefix)}.*")  # the key
        include = "|".join(f"({p})" for p in patterns)
        aggs = {"labels": {"terms": {"field": "tag_labels", "size": 500, "include": include}}}
    else:
        aggs = {"labels": {"terms": {"field": "tag_labels", "size": min(size * 4, 500)}}}
    resp = await guarded(es, settings, es_client.search(
        index=settings.index, size=0, aggs=aggs, timeout=search_timeout(settings)))
    buckets = (resp.get("aggregations") or {}).get("labels", {}).get("buckets", [])
    labels = tag_labels(buckets)
    if not labels:
        return TagsResponse(prefix=prefix, tags=[])
    keys = sorted(labels)
    counts = await guarded(es, settings, es_client.search(
        index=settings.index, size=0, timeout=search_timeout(settings),
        aggs={"keys": {"terms": {"field": "tag_keys", "size": len(keys), "include": keys}}}))
    found = [
        TagCount(key=b["key"], label=labels.get(b["key"], b["key"]), count=int(b["doc_count"]))
        for b in (counts.get("aggregations") or {}).get("keys", {}).get("buckets", [])
    ]
    found.sort(key=lambda t: (-t.count, t.key))
    return TagsResponse(prefix=prefix, tags=found[:size])
