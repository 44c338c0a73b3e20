"""Far-off dates, unexpected errors, the 503 wording and the honesty of the OpenAPI schema,
against a real Elasticsearch holding the sample archive.

Policy under test (``api.query.dates``): every date parameter accepts days from 1000-01-01 to
9998-12-31, in any time zone; anything else is a 422 naming the parameter and the range.
"""

from __future__ import annotations

import itertools
import logging
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from elasticsearch import Elasticsearch
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.app import create_app
from api.query.dates import OUT_OF_RANGE
from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.conftest import OpenApi
from tests.helpers import SAMPLES, count, served


@pytest.fixture(scope="module")
def indexed(es: Elasticsearch, index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> int:
    tmp: Path = tmp_path_factory.mktemp("api-dates")
    ensure_index(es, index_settings.index)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_settings.index, rejects, workers=1).run([SAMPLES])
    assert summary.indexed > 20 and summary.rejected == 0
    return summary.indexed


@pytest.fixture
async def api(open_api: OpenApi, index_settings: Settings, indexed: int) -> Any:
    async with open_api(index_settings) as client:
        yield client


@pytest.fixture(scope="module")
def server(index_settings: Settings, indexed: int) -> Iterator[str]:
    with served(index_settings, start_timeout=30) as url:
        yield url


def assert_envelope(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return error


def assert_names(response: httpx.Response, name: str, message: str) -> None:
    assert response.status_code == 422, response.text[:300]
    error = assert_envelope(response)
    assert error["code"] == "invalid_parameters"
    assert [f["field"] for f in error["fields"]] == [name]
    assert message in error["fields"][0]["message"]
    assert error["message"].startswith(f"{name}: ")


# (request, the parameter the 422 must name): the requests of the issue, each a 500 before
FAR_OFF = [
    ("/v1/search?to=9999-12-31", "to"),
    ("/v1/export?to=9999-12-31", "to"),
    ("/v1/trends/timeline?from=0001-01-01", "from"),
    ("/v1/trends/timeline?interval=week&from=0001-01-01&to=9999-12-31", "from"),
    ("/v1/trends/rising?baseline_from=0001-01-01&baseline_to=0001-01-02", "baseline_from"),
    ("/v1/trends/rising?baseline_from=2026-01-01&baseline_to=9999-12-31", "baseline_to"),
    ("/v1/trends/top?to=9999-12-31", "to"),
    ("/v1/trends/cooccurrence?of=tag:x&to=9999-12-31", "to"),
    ("/v1/digest?date=9999-12-31", "date"),
    ("/v1/digest?date=0001-01-01", "date"),
    ("/v1/digest?from=0001-01-01", "from"),
    ("/v1/search?from=0001-01-01&tz=%2B14:00", "from"),
    ("/v1/export?to=9999-12-31&tz=%2B14:00", "to"),
    ("/v1/trends/top?to=9999-12-31&tz=-14:00", "to"),
    ("/v1/trends/timeline?from=0001-01-01T00:00:00%2B14:00", "from"),
    ("/v1/search?to=9999-12-31T23:59:59-18:00", "to"),
    # before year 1000 Elasticsearch cannot read the year: this was a 400 "too complex"
    ("/v1/search?from=0500-01-01", "from"),
    ("/v1/trends/top?from=0999-12-31&tz=UTC", "from"),
]


@pytest.mark.parametrize(("path", "name"), FAR_OFF)
async def test_far_off_dates_are_422_naming_the_parameter(
    api: httpx.AsyncClient, path: str, name: str
) -> None:
    assert_names(await api.get(path), name, OUT_OF_RANGE)


# the ends of the range, in the zones furthest either way: answered
EDGES = [
    "/v1/search?from=1000-01-01&to=9998-12-31&tz=%2B14:00&facets=months",
    "/v1/search?from=1000-01-01T00:00%2B18:00&to=9998-12-31T23:59:59.999-18:00",
    "/v1/export?from=1000-01-01&to=9998-12-31&tz=-18:00",
    "/v1/trends/timeline?interval=year&from=1000-01-01&to=9998-12-31&tz=%2B14:00",
    "/v1/trends/timeline?interval=week&to=1000-01-01&tz=%2B18:00",
    "/v1/trends/timeline?interval=year&from=9998-12-31&tz=-18:00",
    "/v1/trends/rising?from=9998-12-01&to=9998-12-31",
    "/v1/trends/rising?baseline_from=1000-01-01&baseline_to=1000-01-02&tz=%2B14:00",
    "/v1/trends/top?to=9998-12-31&tz=-14:00",
    "/v1/trends/cooccurrence?of=tag:x&from=1000-01-01&to=9998-12-31",
    "/v1/digest?date=9998-12-31&tz=-18:00",
    "/v1/digest?date=1000-01-01&tz=%2B18:00",
]


@pytest.mark.parametrize("path", EDGES)
async def test_the_ends_of_the_range_are_answered(
    api: httpx.AsyncClient, path: str, es: Elasticsearch, index_settings: Settings
) -> None:
    dated = count(es, index_settings.index, exists={"field": "published"})
    r = await api.get(path)
    assert r.status_code == 200, r.text[:300]
    if path.startswith("/v1/search"):
        assert r.json()["total"] == dated  # every dated sample post lies within the range
    if path.startswith("/v1/trends/timeline?interval=year&from=1000"):
        body = r.json()
        assert len(body["buckets"]) == 9999 - 1000 and body["total"] == dated


async def test_a_default_baseline_outside_the_range_is_422(api: httpx.AsyncClient) -> None:
    # the period is 8,999 years long: the baseline just before it would start in year -7999
    r = await api.get("/v1/trends/rising", params={"from": "1000-01-01", "to": "9998-12-31"})
    assert_names(r, "baseline_from", "1000-01-01..9998-12-31")
    r = await api.get("/v1/trends/rising", params={"from": "1000-01-01", "to": "5000-01-01",
                                                   "baseline_from": "9000-01-01"})
    assert_names(r, "baseline_to", "1000-01-01..9998-12-31")


async def test_an_unexpected_exception_is_the_json_envelope_and_logged(
    index_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(index_settings)

    @app.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    caplog.set_level(logging.ERROR, logger="aiposts.api")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.get("/v1/boom")
            assert (await client.get("/health")).status_code == 200  # and the app goes on
    assert r.status_code == 500
    error = assert_envelope(r)
    assert error["code"] == "internal_error" and "a bug" not in error["message"]
    logged = [rec for rec in caplog.records if rec.name == "aiposts.api" and rec.exc_info]
    assert logged and "RuntimeError: a bug" in caplog.text and "/v1/boom" in logged[0].getMessage()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_503_names_no_address_and_logs_it(open_api: OpenApi, caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    caplog.set_level(logging.WARNING, logger="aiposts.api")
    async with open_api(Settings(es_url=f"http://127.0.0.1:{port}")) as client:
        responses = [await client.get(p) for p in ("/v1/search", "/health", "/v1/trends/top")]
    for r in responses:
        assert r.status_code == 503 and r.headers["Retry-After"]
        error = assert_envelope(r)
        assert error["message"] == "search backend unavailable: cannot connect"
        assert str(port) not in r.text
    assert f"127.0.0.1:{port}" in caplog.text  # the address is in the log, for the operator


# -- property: whatever the date, tz, size, page and cursor, no 5xx and the JSON envelope ----

_DAYS = st.dates().map(lambda d: d.isoformat())
_INSTANTS = st.builds(
    lambda d, h, off: f"{d.isoformat()}T{h:02d}:00:00{off}",
    st.dates(),
    st.integers(0, 23),
    st.sampled_from(["", "Z", "+14:00", "-18:00", "+09:00", "+23:59"]),
)
_DATES = st.one_of(_DAYS, _INSTANTS, st.sampled_from(["0001-01-01", "9999-12-31", "1000-01-01",
                                                      "9998-12-31", "2026-02-30", ""]), st.text(max_size=12))
_TZ = st.one_of(
    st.sampled_from(["UTC", "Asia/Tokyo", "+14:00", "-14:00", "+18:00", "-18:00", "+18:01", "+99:99",
                     "Factory", "Etc/GMT-14", "Pacific/Kiritimati", ""]),
    st.text(max_size=10),
)
_COUNT = st.one_of(st.integers(-5, 200), st.sampled_from([0, 10_000, 10**12]), st.text(max_size=4))
_CURSOR = st.one_of(st.sampled_from(["*", "", "AAAA", "*" * 3]),
                    st.text(alphabet="ABCDEFabcdef0123456789-_", max_size=40), st.text(max_size=20))

# every GET endpoint with its date, tz, size, page and cursor parameters
ENDPOINTS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "/v1/search": {"from": _DATES, "to": _DATES, "tz": _TZ, "size": _COUNT, "page": _COUNT,
                   "cursor": _CURSOR},
    "/v1/export": {"from": _DATES, "to": _DATES, "tz": _TZ},
    "/v1/trends/timeline": {"from": _DATES, "to": _DATES, "tz": _TZ,
                            "interval": st.sampled_from(["day", "week", "month", "year"])},
    "/v1/trends/top": {"from": _DATES, "to": _DATES, "tz": _TZ, "size": _COUNT},
    "/v1/trends/rising": {"from": _DATES, "to": _DATES, "baseline_from": _DATES, "baseline_to": _DATES,
                          "tz": _TZ, "size": _COUNT},
    "/v1/trends/cooccurrence?of=entity:anthropic": {"from": _DATES, "to": _DATES, "tz": _TZ, "size": _COUNT},
    "/v1/digest": {"date": _DATES, "from": _DATES, "to": _DATES, "tz": _TZ, "size": _COUNT},
    "/v1/tags": {"size": _COUNT},
    "/v1/entities?q=anthropic": {"size": _COUNT},
    "/v1/entities/anthropic": {"top": _COUNT, "recent": _COUNT},
    "/v1/posts/0000000000000000000a/related": {"size": _COUNT},
}


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_no_5xx_and_the_envelope_for_any_dates_and_counts(server: str, path: str) -> None:
    statuses: Counter[int] = Counter()
    params = st.fixed_dictionaries({}, optional=ENDPOINTS[path])
    where, _, fixed = path.partition("?")  # httpx's params= replace a query in the URL
    required = dict(httpx.QueryParams(fixed))
    with httpx.Client(base_url=server, timeout=30) as client:

        @given(query=params)
        @hypothesis_settings(max_examples=40, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        def run(query: dict[str, Any]) -> None:
            r = client.get(where, params={**required, **query})
            statuses[r.status_code] += 1
            assert r.status_code < 500, (path, query, r.text[:300])
            if r.status_code >= 400:
                error = assert_envelope(r)
                if r.status_code == 422:  # each failing parameter named (or a default it set)
                    names = {f["field"] for f in error["fields"]}
                    allowed = {*query, "baseline_from", "baseline_to", "interval"}
                    assert names and names <= allowed, (query, error)

        run()
    assert statuses[422] > 0, statuses  # bad values were tried
    assert statuses[200] + statuses[404] > 0, statuses  # and good ones answered


# -- schema honesty: values the schema allows are accepted ------------------------------------

# the rules that tie parameters together (OpenAPI cannot say them; the descriptions do) and the
# opaque cursor: a 422 to schema-valid values may only come from these
CROSS_PARAMETER = {
    "to": "is before",
    "baseline_to": "",
    "baseline_from": "",
    "type": "goes with by=entity",
    "term_lang": "goes with by=key_term",
    "compare": "either split= or compare=",
    "page": "page × size",
    "interval": "too many buckets",
    "cursor": "",
}


def test_schema_valid_values_are_accepted(server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    seen: Counter[int] = Counter()
    rejected: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def run(case: schemathesis.Case) -> None:
            r = case.call(base_url=server, timeout=30)
            seen[r.status_code] += 1
            assert r.status_code < 500, (case.path, case.query, r.text[:300])
            if r.status_code == 422:
                for f in r.json()["error"]["fields"]:
                    rule = CROSS_PARAMETER.get(f["field"])
                    if rule is None or rule not in f["message"]:
                        rejected.append(f"{case.path} {case.query}: {f['field']}: {f['message']}")

        run()
    assert not rejected, "\n".join(rejected[:10])
    assert seen[200] > 100, seen


def test_the_schema_types_the_free_parameters(server: str) -> None:
    spec = httpx.get(f"{server}/openapi.json", timeout=30).json()
    params = {
        (path, p["name"]): p["schema"]
        for path, item in spec["paths"].items()
        for p in item.get("get", {}).get("parameters", [])
    }
    tz = params[("/v1/search", "tz")]
    assert "Asia/Tokyo" in tz["anyOf"][0]["enum"] and tz["anyOf"][1]["pattern"]
    assert params[("/v1/search", "cursor")]["pattern"] == r"^(\*|[A-Za-z0-9_-]+)$"
    assert params[("/v1/export", "resume_after")]["pattern"]
    assert "entity:anthropic" in params[("/v1/trends/cooccurrence", "of")]["anyOf"][0]["enum"]
    assert "lab" in params[("/v1/trends/top", "type")]["enum"]
    for path, name in itertools.product(("/v1/search", "/v1/trends/top", "/v1/digest"), ("from", "to")):
        assert params[(path, name)]["pattern"].startswith("^(1[0-9]{3}")
    assert params[("/v1/digest", "date")]["pattern"]
