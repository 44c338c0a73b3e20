"""Facet aggregations for the current query and filters, and their buckets as responses."""

from __future__ import annotations

from typing import Any

from api.models import FacetBucket
from api.present.entity import entity_name
from indexer.index import TAG_LABEL_SEP

FACETS = ("tags", "entities", "sources", "langs", "months")
MAX_FACET_SIZE = 100


def aggregations(names: list[str], size: int, time_zone: str = "UTC") -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for name in names:
        if name == "tags":
            aggs["f_tags"] = {"terms": {"field": "tag_keys", "size": size}}
            aggs["f_tag_labels"] = {"terms": {"field": "tag_labels", "size": min(size * 4, 400)}}
        elif name == "entities":
            aggs["f_entities"] = {"terms": {"field": "entity_ids", "size": size}}
        elif name == "sources":
            aggs["f_sources"] = {"terms": {"field": "source", "size": size}}
        elif name == "langs":
            aggs["f_langs"] = {"terms": {"field": "langs", "size": 2}}
        elif name == "months":
            aggs["f_months"] = {
                "date_histogram": {
                    "field": "published",
                    "calendar_interval": "month",
                    "format": "yyyy-MM",
                    "min_doc_count": 1,
                    "time_zone": time_zone,
                }
            }
    return aggs


def _terms(aggs: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return list(((aggs.get(key) or {}).get("buckets")) or [])


def tag_labels(buckets: list[dict[str, Any]]) -> dict[str, str]:
    """Most used display spelling per tag key, from ``tag_labels`` buckets."""
    best: dict[str, tuple[int, str]] = {}
    for b in buckets:
        key, _, display = str(b["key"]).partition(TAG_LABEL_SEP)
        count = int(b["doc_count"])
        if key not in best or count > best[key][0]:
            best[key] = (count, display or key)
    return {k: v[1] for k, v in best.items()}


def parse(names: list[str], aggs: dict[str, Any]) -> dict[str, list[FacetBucket]]:
    out: dict[str, list[FacetBucket]] = {}
    for name in names:
        if name == "tags":
            labels = tag_labels(_terms(aggs, "f_tag_labels"))
            out[name] = [
                FacetBucket(key=b["key"], label=labels.get(b["key"], b["key"]), count=b["doc_count"])
                for b in _terms(aggs, "f_tags")
            ]
        elif name == "entities":
            out[name] = [
                FacetBucket(key=b["key"], label=entity_name(b["key"]), count=b["doc_count"])
                for b in _terms(aggs, "f_entities")
            ]
        elif name == "sources":
            out[name] = [FacetBucket(key=b["key"], count=b["doc_count"]) for b in _terms(aggs, "f_sources")]
        elif name == "langs":
            out[name] = [FacetBucket(key=b["key"], count=b["doc_count"]) for b in _terms(aggs, "f_langs")]
        elif name == "months":
            out[name] = [
                FacetBucket(key=b["key_as_string"], count=b["doc_count"]) for b in _terms(aggs, "f_months")
            ]
    return out
