"""Shared fixtures.

* ``es_url`` (session): AIPOSTS_ES_URL when set; otherwise the local node on AIPOSTS_ES_PORT
  (default 9200), started or reused. A node that test sessions started is stopped by the
  last session using it; a node started by hand (``aiposts-es start``) is left running.
* ``settings`` (session): ``Settings.from_env()`` pointed at ``es_url``.
* ``es`` (session): a sync Elasticsearch client for ``settings``.
* ``index_name`` (module): an alias name of the module's own, ``t-<module>-<random>``; every
  index, alias and index template whose name starts with it is deleted after the module.
* ``index_settings`` (module): ``settings`` with ``index`` set to ``index_name``.
* ``open_api`` (function): ``async with open_api(settings) as client`` gives an
  ``httpx.AsyncClient`` on a fresh app, with its lifespan (the ES client) running.
* ``api`` (function): that client on ``index_settings``, for a module that defines an
  ``archive`` fixture (the index it fills); modules with other needs define their own.

Kinds: every test is marked ``unit`` or ``integration`` by ``pytest_collection_modifyitems``.
A test whose fixture closure holds ``es_url`` (so also ``settings``, ``es``, ``index_name``,
``index_settings``, ``api`` and any module fixture built on them) is ``integration``; so is a
test that already carries ``@pytest.mark.integration`` (modules that start nodes or clusters
themselves set ``pytestmark = pytest.mark.integration``); every other test is ``unit`` and
must not need an Elasticsearch node. ``make test ARGS="-m unit"`` runs the fast kind,
``make test ARGS="-m integration"`` the rest.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch, NotFoundError

from api.app import create_app
from indexer.config import Settings
from localnode import LocalNode, LocalNodeError

OpenApi = Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]

# The fixture that provides a node; everything depending on it is in a test's closure too.
NODE_FIXTURES = frozenset({"es_url"})


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test ``integration`` (needs an Elasticsearch node) or ``unit`` (no node)."""
    wrong: list[str] = []
    for item in items:
        needs_node = bool(NODE_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        if item.get_closest_marker("integration") is not None:
            continue  # marked by hand (e.g. a module that starts nodes itself)
        if item.get_closest_marker("unit") is not None:
            if needs_node:
                wrong.append(item.nodeid)
            continue
        item.add_marker(pytest.mark.integration if needs_node else pytest.mark.unit)
    if wrong:
        raise pytest.UsageError("marked unit but they use an Elasticsearch node: " + ", ".join(wrong))


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    external = os.environ.get("AIPOSTS_ES_URL", "").strip()
    if external:
        yield external
        return
    node = LocalNode(Settings.from_env())
    try:
        started = node.start_for_tests(os.getpid())
    except LocalNodeError as exc:
        pytest.fail(f"local Elasticsearch node: {exc}", pytrace=False)
    try:
        yield started.url
    finally:
        node.release_for_tests(os.getpid())


@pytest.fixture(scope="session")
def settings(es_url: str) -> Settings:
    return Settings.from_env().model_copy(update={"es_url": es_url})


@pytest.fixture(scope="session")
def es(settings: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(**settings.es_client_kwargs())  # type: ignore[arg-type]
    try:
        yield client
    finally:
        client.close()


def delete_matching(es: Elasticsearch, prefix: str) -> None:
    """Delete the indices, aliases and index templates whose names start with ``prefix``
    (by their concrete names, so clusters that forbid wildcard deletes work too)."""
    pattern = f"{prefix}*"
    indices = es.indices.get(index=pattern, expand_wildcards="all", allow_no_indices=True,
                             ignore_unavailable=True)
    if indices:
        es.indices.delete(index=",".join(indices), ignore_unavailable=True)
    aliases: dict[str, Any] = {}
    with contextlib.suppress(NotFoundError):
        aliases = dict(es.indices.get_alias(name=pattern, expand_wildcards="all"))
    for index, body in aliases.items():
        for alias in body.get("aliases", {}):
            es.indices.delete_alias(index=index, name=alias)
    try:
        templates = es.indices.get_index_template(name=pattern)["index_templates"]
    except NotFoundError:
        templates = []
    for template in templates:
        es.indices.delete_index_template(name=template["name"])


@pytest.fixture(scope="module")
def index_name(request: pytest.FixtureRequest, es: Elasticsearch) -> Iterator[str]:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    slug = re.sub(r"[^a-z0-9]+", "-", module.lower()).strip("-")[:40] or "module"
    name = f"t-{slug}-{secrets.token_hex(4)}"
    yield name
    delete_matching(es, name)


@pytest.fixture(scope="module")
def index_settings(settings: Settings, index_name: str) -> Settings:
    return settings.model_copy(update={"index": index_name})


@asynccontextmanager
async def _open_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://aiposts.test") as c:
            yield c


@pytest.fixture
def open_api() -> OpenApi:
    return _open_api


@pytest.fixture
async def api(open_api: OpenApi, index_settings: Settings, archive: str) -> AsyncIterator[httpx.AsyncClient]:
    async with open_api(index_settings) as client:
        yield client
