"""The shared AsyncElasticsearch client and a time-boxed way to call it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from elasticsearch import AsyncElasticsearch
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout
from fastapi import Request

from api.errors import cannot_connect, no_answer
from indexer.config import Settings

T = TypeVar("T")


def create_client(settings: Settings) -> AsyncElasticsearch:
    """A client for ``settings.es_url``; it connects lazily, on the first request."""
    return AsyncElasticsearch(**settings.es_client_kwargs())  # type: ignore[arg-type]


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """Await ``awaitable`` for at most ``seconds``; a timeout or a connection failure raises
    ElasticsearchUnavailable (served as 503 by the app's error handler)."""
    try:
        return await asyncio.wait_for(awaitable, timeout=seconds)
    except (TimeoutError, ESConnectionTimeout) as exc:
        raise no_answer(seconds) from exc
    except ESConnectionError as exc:
        raise cannot_connect(exc) from exc


def get_es(request: Request) -> AsyncElasticsearch:
    """FastAPI dependency: the client created by the app's lifespan."""
    client: AsyncElasticsearch = request.app.state.es
    return client


def get_settings(request: Request) -> Settings:
    """FastAPI dependency: the settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings
