"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.es import create_client
from api.handlers import install_error_handlers
from api.query import warm_up
from api.routes import dashboard, digest, entities, export, health, posts, search, tags, trends
from api.security import install_cors
from indexer.config import Settings

DESCRIPTION = (
    "Search and trend analytics over an archive of Japanese and English posts about AI."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the Elasticsearch client lives from startup to shutdown (lifespan)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(warm_up)  # tokenizers and entity matchers, once per process
        app.state.es = create_client(settings)
        try:
            yield
        finally:
            await app.state.es.close()

    app = FastAPI(
        title="aiposts",
        version=health.service_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.settings = settings
    install_error_handlers(app)  # before CORS, which must wrap its 500 middleware
    install_cors(app, settings)
    app.include_router(health.router)
    for module in (search, posts, tags, entities, export, trends, digest):
        app.include_router(module.router)
    dashboard.install(app)  # the page at / and its files under /static
    return app
