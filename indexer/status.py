"""``aiposts-index status``: what the alias points at and what the index holds."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from indexer.index import current_index, versions


def index_status(es: Elasticsearch, alias: str) -> dict[str, Any]:
    index = current_index(es, alias)
    status: dict[str, Any] = {
        "alias": alias,
        "index": index,
        "versions": [name for _, name in versions(es, alias)],
    }
    if index is None:
        status["posts"] = 0
        return status
    resp = es.search(
        index=alias,
        size=0,
        track_total_hits=True,
        aggs={
            "langs": {"terms": {"field": "lang", "size": 10, "missing": "none"}},
            "sources": {"terms": {"field": "source", "size": 25}},
            "doc_types": {"terms": {"field": "doc_type", "size": 10}},
            "last_ingest": {"max": {"field": "ingested_at"}},
            "newest_post": {"max": {"field": "published"}},
            "oldest_post": {"min": {"field": "published"}},
            "undated": {"missing": {"field": "published"}},
        },
    )
    aggs = resp["aggregations"]
    status.update(
        {
            "posts": resp["hits"]["total"]["value"],
            "by_lang": {b["key"]: b["doc_count"] for b in aggs["langs"]["buckets"]},
            "by_source": {b["key"]: b["doc_count"] for b in aggs["sources"]["buckets"]},
            "by_doc_type": {b["key"]: b["doc_count"] for b in aggs["doc_types"]["buckets"]},
            "last_ingest": aggs["last_ingest"].get("value_as_string"),
            "undated": aggs["undated"]["doc_count"],
            "published_range": [
                aggs["oldest_post"].get("value_as_string"),
                aggs["newest_post"].get("value_as_string"),
            ],
        }
    )
    mapping = es.indices.get_mapping(index=index)[index]["mappings"]
    status["mapping_version"] = (mapping.get("_meta") or {}).get("mapping_version")
    return status


def format_status(status: dict[str, Any]) -> str:
    lines = [
        f"alias:        {status['alias']}",
        f"index:        {status['index'] or '(none: nothing ingested yet)'}",
        f"versions:     {', '.join(status['versions']) or '-'}",
        f"posts:        {status['posts']}",
    ]
    if status.get("index"):
        lines.append(f"last ingest:  {status.get('last_ingest') or '-'}")
        lines.append(f"published:    {status['published_range'][0]} .. {status['published_range'][1]}")
        lines.append(f"undated:      {status['undated']} (no publication date)")
        lines.append("by language:  " + ", ".join(f"{k} {v}" for k, v in status["by_lang"].items()))
        lines.append("by type:      " + ", ".join(f"{k} {v}" for k, v in status["by_doc_type"].items()))
        lines.append("by source (top 25):")
        lines.extend(f"  {v:>8}  {k}" for k, v in status["by_source"].items())
    return "\n".join(lines)
