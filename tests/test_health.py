"""GET /health with Elasticsearch up, down and hanging, and the app-wide 503 mapping."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import Elasticsearch

from api.app import create_app
from indexer.config import Settings
from tests.conftest import OpenApi


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


async def test_health_reports_cluster_and_alias(
    open_api: OpenApi, index_settings: Settings, es: Elasticsearch, index_name: str
) -> None:
    cluster = es.cluster.health()
    node_versions = {n["version"] for n in es.nodes.info(node_id="_local")["nodes"].values()}
    async with open_api(index_settings) as client:
        response = await client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert body["service"]["name"] == "aiposts"
        assert body["service"]["version"]
        assert body["elasticsearch"]["cluster_name"] == cluster["cluster_name"]
        assert body["elasticsearch"]["version"] in node_versions
        assert body["elasticsearch"]["status"] in ("green", "yellow")
        assert body["index"] == {"alias": index_name, "exists": False}
        assert body["status"] == "degraded"

        es.indices.create(index=f"{index_name}-000001", aliases={index_name: {}},
                          settings={"number_of_replicas": 0})
        body = (await client.get("/health")).json()
        assert body["index"] == {"alias": index_name, "exists": True}
        assert body["status"] == "ok"


async def test_health_is_503_when_elasticsearch_is_down(open_api: OpenApi) -> None:
    settings = Settings(es_url=f"http://127.0.0.1:{_closed_port()}")
    async with open_api(settings) as client:
        began = time.monotonic()
        response = await client.get("/health")
        elapsed = time.monotonic() - began
    assert response.status_code == 503
    assert elapsed < 2.5
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "elasticsearch_unavailable"
    assert "connect" in error["message"]


async def test_health_gives_up_after_es_wait(open_api: OpenApi, silent_port: int) -> None:
    settings = Settings(es_url=f"http://127.0.0.1:{silent_port}", es_wait=0.5)
    async with open_api(settings) as client:
        began = time.monotonic()
        response = await client.get("/health")
        elapsed = time.monotonic() - began
    assert response.status_code == 503
    assert elapsed < 1.5
    assert response.headers["Retry-After"]
    assert response.json()["error"]["code"] == "elasticsearch_unavailable"


async def test_connection_errors_anywhere_become_503() -> None:
    app = create_app(Settings(es_url="http://127.0.0.1:1"))

    @app.get("/v1/boom")
    async def boom() -> None:
        raise TransportConnectionError("connection refused")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/v1/boom")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json()["error"]["code"] == "elasticsearch_unavailable"


async def test_openapi_docs(open_api: OpenApi) -> None:
    async with open_api(Settings(es_url=f"http://127.0.0.1:{_closed_port()}")) as client:
        assert (await client.get("/docs")).status_code == 200
        schema = (await client.get("/openapi.json")).json()
    assert "/health" in schema["paths"]
    assert "503" in schema["paths"]["/health"]["get"]["responses"]


async def test_a_missing_index_is_an_outage_not_a_missing_post(open_api: OpenApi, settings: Settings) -> None:
    # the node answers, but the alias was never created: 503 naming the fix, on a post and a search
    missing = settings.model_copy(update={"index": "t-health-never-created"})
    async with open_api(missing) as client:
        for path, params in (("/v1/posts/some-post", {}), ("/v1/search", {"q": "robot"})):
            response = await client.get(path, params=params)
            assert response.status_code == 503, (path, response.text)
            error = response.json()["error"]
            assert error["code"] == "elasticsearch_unavailable" and "aiposts-index ingest" in error["message"]
