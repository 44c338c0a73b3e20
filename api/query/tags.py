"""Tags by prefix, with post counts (``GET /v1/tags``), and the Lucene regular expressions that
match text literally (the analytics' tag spellings use them too).

The prefix is matched against tag keys (``model w`` -> ``model-w…``, any spelling) and against
the spellings posts used (``モデル`` finds ``モデル福祉`` even when an alias table maps it to
an English key). The prefix only ever reaches Elasticsearch escaped, as a literal.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from api.backend import client, guarded, search_timeout
from api.models import TagCount
from api.present.facets import tag_labels
from indexer.analysis import raw_tag_key
from indexer.config import Settings
from indexer.index import TAG_LABEL_SEP

MAX_LABELS = 500  # spellings read to find the tags a prefix names


def literal(text: str) -> str:
    """``text`` as a Lucene regular expression that matches it literally."""
    return "".join(ch if ch.isalnum() else "\\" + ch for ch in text)


def caseless(text: str) -> str:
    """A Lucene regexp for ``text`` that ignores ASCII case."""
    return "".join(
        f"[{ch.lower()}{ch.upper()}]" if ch.isascii() and ch.isalpha() else literal(ch) for ch in text
    )


def labels_aggs(prefix: str | None, size: int) -> dict[str, Any]:
    """The spellings (``tag_labels``) whose key or spelling starts with ``prefix``; without one,
    the most used."""
    raw = (prefix or "").strip().lstrip("#＃").strip()
    if not raw:
        return {"labels": {"terms": {"field": "tag_labels", "size": min(size * 4, MAX_LABELS)}}}
    patterns = [f".*{literal(TAG_LABEL_SEP)}{caseless(' '.join(raw.split()))}.*"]  # the spelling
    key_prefix = raw_tag_key(raw)
    if key_prefix:
        patterns.append(f"{literal(key_prefix)}.*")  # the key
    include = "|".join(f"({p})" for p in patterns)
    return {"labels": {"terms": {"field": "tag_labels", "size": MAX_LABELS, "include": include}}}


def _buckets(resp: Any, name: str) -> list[dict[str, Any]]:
    return list((resp.get("aggregations") or {}).get(name, {}).get("buckets", []))


async def find_tags(
    es: AsyncElasticsearch, settings: Settings, prefix: str | None, size: int
) -> list[TagCount]:
    """The ``size`` tags ``prefix`` names, most posts first: one search finds the tags by their
    spellings, a second counts the posts of each tag key (every spelling together)."""
    es_client = client(es, settings)
    found = await guarded(es, settings, es_client.search(
        index=settings.index, size=0, aggs=labels_aggs(prefix, size), timeout=search_timeout(settings)))
    labels = tag_labels(_buckets(found, "labels"))
    if not labels:
        return []
    keys = sorted(labels)
    counted = await guarded(es, settings, es_client.search(
        index=settings.index, size=0, timeout=search_timeout(settings),
        aggs={"keys": {"terms": {"field": "tag_keys", "size": len(keys), "include": keys}}}))
    tags = [TagCount(key=b["key"], label=labels.get(b["key"], b["key"]), count=int(b["doc_count"]))
            for b in _buckets(counted, "keys")]
    tags.sort(key=lambda t: (-t.count, t.key))
    return tags[:size]
