"""``GET /health``: is the service up, and can it reach Elasticsearch and its index?"""

from __future__ import annotations

import asyncio
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.backend import failover_retries, guarded
from api.errors import ErrorEnvelope
from api.es import Conf, Es

SERVICE_NAME = "aiposts"

router = APIRouter(tags=["health"])


def service_version() -> str:
    try:
        return version(SERVICE_NAME)
    except PackageNotFoundError:
        return "0+unknown"


class ServiceInfo(BaseModel):
    name: str
    version: str


class ClusterInfo(BaseModel):
    cluster_name: str
    version: str | None = Field(description="Elasticsearch version of the node that answered")
    status: str = Field(description="cluster health: green, yellow or red")


class IndexInfo(BaseModel):
    alias: str
    exists: bool


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="ok: the cluster is green or yellow and the alias exists"
    )
    service: ServiceInfo
    elasticsearch: ClusterInfo
    index: IndexInfo


def _node_version(nodes: dict[str, Any]) -> str | None:
    for node in (nodes.get("nodes") or {}).values():
        return str(node.get("version")) if node.get("version") else None
    return None


@router.get(
    "/health",
    response_model=HealthResponse,
    responses={503: {"model": ErrorEnvelope, "description": "Elasticsearch is unreachable"}},
)
async def health(
    es: Es,
    settings: Conf,
) -> HealthResponse:
    client = es.options(request_timeout=settings.es_wait, max_retries=failover_retries(settings))
    cluster, nodes, alias = await guarded(
        es,
        settings,
        asyncio.gather(
            client.cluster.health(),
            # not GET /: the integ-test distribution used for development lacks that endpoint
            client.nodes.info(node_id="_local", filter_path="nodes.*.version"),
            client.indices.exists_alias(name=settings.index),
        ),
    )
    status = str(cluster.get("status", "unknown"))
    exists = bool(alias)
    healthy = status in ("green", "yellow") and exists
    return HealthResponse(
        status="ok" if healthy else "degraded",
        service=ServiceInfo(name=SERVICE_NAME, version=service_version()),
        elasticsearch=ClusterInfo(
            cluster_name=str(cluster.get("cluster_name", "")),
            version=_node_version(dict(nodes)),
            status=status,
        ),
        index=IndexInfo(alias=settings.index, exists=exists),
    )
