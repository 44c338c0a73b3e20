"""The shared AsyncElasticsearch client and the settings, as FastAPI dependencies (calls are
time-boxed by ``api.backend.guarded``)."""

from __future__ import annotations

from typing import Annotated

from elasticsearch import AsyncElasticsearch
from elasticsearch.serializer import OrjsonSerializer
from fastapi import Depends, Request

from indexer.config import Settings


def create_client(settings: Settings) -> AsyncElasticsearch:
    """A client for ``settings.es_url``; it connects lazily, on the first request. Replies
    are read with orjson: a page of long posts is megabytes of JSON (measured in bench/query)."""
    return AsyncElasticsearch(serializer=OrjsonSerializer(), **settings.es_client_kwargs())  # type: ignore[arg-type]


async def get_es(request: Request) -> AsyncElasticsearch:
    """FastAPI dependency: the client created by the app's lifespan. (Both dependencies are
    ``async``: FastAPI runs a plain function in its thread pool, a thread hop per request for
    an attribute lookup.)"""
    client: AsyncElasticsearch = request.app.state.es
    return client


async def get_settings(request: Request) -> Settings:
    """FastAPI dependency: the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


# the route parameters of the two dependencies, declared once for every route
Es = Annotated[AsyncElasticsearch, Depends(get_es)]
Conf = Annotated[Settings, Depends(get_settings)]
