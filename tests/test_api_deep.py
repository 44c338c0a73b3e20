"""Deep paging and export over a 10,500-post slice of the shared corpus (real Elasticsearch):
cursors walk 1,000+ hits with no duplicates and no gaps, and an export of 10,000+ posts
matches the search total, in a stable order, resumable from the last id."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import corpus_slice

pytestmark = pytest.mark.slow

SLICE = 10_500


@pytest.fixture(scope="module")
def corpus(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> int:
    tmp: Path = tmp_path_factory.mktemp("api-deep")
    path = corpus_slice("ja_ainewscollector_items", SLICE, tmp)
    ensure_index(es, index_name)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_name, rejects, workers=2).run([path])
    assert summary.indexed + summary.duplicates + summary.rejected == SLICE
    assert summary.indexed >= 10_000
    return summary.indexed


@pytest.fixture
async def api(open_api: Any, index_settings: Settings, corpus: int) -> Any:
    async with open_api(index_settings) as client:
        yield client


async def get_json(api: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    r = await api.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ndjson(text: str) -> list[dict[str, Any]]:
    # split on "\n" only: str.splitlines also splits on U+2028 and friends inside values
    return [json.loads(line) for line in text.split("\n") if line]


async def walk(api: httpx.AsyncClient, size: int, **params: Any) -> tuple[list[str], int]:
    ids: list[str] = []
    cursor = "*"
    total = -1
    while cursor:
        body = await get_json(api, "/v1/search", cursor=cursor, size=size, highlight="false", **params)
        total = body["total"]
        ids.extend(h["id"] for h in body["hits"])
        cursor = body["next_cursor"]
    return ids, total


async def test_cursor_walks_past_the_window_without_duplicates_or_gaps(api: httpx.AsyncClient) -> None:
    ids, total = await walk(api, 100, sort="-date", q="AI")
    assert total >= 1_000
    assert len(ids) == total and len(set(ids)) == total
    # the same set as exporting the query
    r = await api.get("/v1/export", params={"q": "AI", "fields": "id"})
    exported = [row["id"] for row in ndjson(r.text)]
    assert set(exported) == set(ids)


async def test_cursor_with_relevance_and_a_filter(api: httpx.AsyncClient) -> None:
    ids, total = await walk(api, 100, q="生成AI OR LLM", lang="ja")
    assert total >= 1_000 and len(ids) == total == len(set(ids))


async def test_cursor_survives_an_expired_snapshot(
    api: httpx.AsyncClient, es: Elasticsearch, index_settings: Settings
) -> None:
    first = await get_json(api, "/v1/search", cursor="*", size=50, sort="date", highlight="false")
    es.close_point_in_time(id=_pit_of(first["next_cursor"], index_settings))  # as if it had expired
    second = await get_json(api, "/v1/search", cursor=first["next_cursor"], size=50, sort="date",
                            highlight="false")
    paged = await get_json(api, "/v1/search", size=100, sort="date", highlight="false")
    assert [h["id"] for h in first["hits"] + second["hits"]] == [h["id"] for h in paged["hits"]]


def _pit_of(cursor: str, settings: Settings) -> str:
    from api.cursor_key import cursor_key
    from api.present.cursor import decode

    pit = decode(cursor, cursor_key(settings)).pit
    assert pit
    return pit


async def test_export_of_the_whole_set_matches_the_search_total(api: httpx.AsyncClient, corpus: int) -> None:
    total = (await get_json(api, "/v1/search", lang="ja", size=1))["total"]
    assert total >= 10_000
    r = await api.get("/v1/export", params={"lang": "ja"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert int(r.headers["x-total-count"]) == total
    rows = ndjson(r.text)
    ids = [row["id"] for row in rows]
    assert len(ids) == total and len(set(ids)) == total
    assert ids == sorted(ids)  # the stable order: by id
    assert set(rows[0]) == {"id", "published", "source", "lang", "doc_type", "title", "url", "tags",
                            "entities"}


async def test_export_resumes_after_the_last_id(api: httpx.AsyncClient) -> None:
    full = (await api.get("/v1/export", params={"q": "AI", "fields": "id"})).text
    ids = [row["id"] for row in ndjson(full)]
    cut = len(ids) // 3
    r = await api.get("/v1/export", params={"q": "AI", "fields": "id", "resume_after": ids[cut - 1]})
    rest = [row["id"] for row in ndjson(r.text)]
    assert rest == ids[cut:]
    assert int(r.headers["x-export-remaining"]) == len(rest)


async def test_export_csv_gzip_and_fields(api: httpx.AsyncClient) -> None:
    params = {"q": "AI", "format": "csv", "fields": "id,title,tags", "gzip": "true"}
    r = await api.get("/v1/export", params=params)
    assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
    assert r.headers["content-disposition"].endswith('.csv.gz"')
    table = list(csv.reader(io.StringIO(gzip.decompress(r.content).decode("utf-8"))))
    assert table[0] == ["id", "title", "tags"]
    assert len(table) - 1 == int(r.headers["x-total-count"])
    bad = await api.get("/v1/export", params={"fields": "id,search.ja.text"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "fields"


async def test_facets_and_totals_over_the_slice(api: httpx.AsyncClient, corpus: int) -> None:
    body = await get_json(api, "/v1/search", facets="months,sources,tags,langs,entities", size=0 + 1)
    assert body["total"] == corpus
    months = body["facets"]["months"]
    assert sum(b["count"] for b in months) <= corpus and len(months) >= 2
    assert body["facets"]["sources"][0]["count"] >= body["facets"]["sources"][-1]["count"]
