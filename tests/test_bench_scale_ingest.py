"""The scale bench's ingest on a small scaled copy, against real Elasticsearch: every post
indexed, rate checkpoints, and copies (paragraphs shuffled) analyzed like their original."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from bench.scale.measure import ingest_prefix
from tests.helpers import CORPUS

FILE = CORPUS / "en_lilianweng_posts.jsonl.gz"  # 52 long posts: 110 output posts = 2+ passes


def test_ingest_prefix_indexes_every_post_and_copies_match(es: Elasticsearch, index_name: str) -> None:
    result = ingest_prefix(es, [FILE], 110, cache_mb=256, every=50, alias=index_name)
    assert result["summary"]["indexed"] == 110 and result["summary"]["rejected"] == 0
    assert result["index_posts"] == 110
    assert [m["posts"] for m in result["checkpoints"]] == [50, 100]
    assert result["index"]["store_bytes"] > 0
    fields = ["entities", "key_terms", "texts.en.title"]
    docs = es.mget(index=index_name, ids=["scale-00000003", "scale-00000055"], source_includes=fields)["docs"]
    original, copy = (d["_source"] for d in docs)
    assert copy["texts"]["en"]["title"] == original["texts"]["en"]["title"] + " (copy 2)"
    # the same paragraphs in another order: the same entities and key terms
    assert original["entities"] and copy["entities"] == original["entities"]
    assert copy["key_terms"] == original["key_terms"]
