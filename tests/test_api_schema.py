"""Schema-driven run of the whole /v1 API (schemathesis, from the app's own OpenAPI) against a
live server on the sample archive: whatever the parameters, no 5xx and responses that match
their documented schemas. Examples are bounded so the run stays short."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from elasticsearch import Elasticsearch
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import SAMPLES, served

MAX_EXAMPLES = 12  # per operation


@pytest.fixture(scope="module")
def server(
    es: Elasticsearch, index_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("api-schema")
    ensure_index(es, index_settings.index)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        Ingest(es, index_settings.index, rejects, workers=1).run([SAMPLES])
    with served(index_settings, start_timeout=30) as url:
        yield url


def test_no_server_errors_for_any_parameters(server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    seen: Counter[int] = Counter()
    for operation, mode in itertools.product(operations, list(schemathesis.GenerationMode)):

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=server, timeout=30)
            seen[response.status_code] += 1
            assert response.status_code < 500, (case.method, case.path, case.query, response.text[:500])
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Unsatisfiable:  # no invalid input exists for this operation (e.g. no parameters)
            assert mode is schemathesis.GenerationMode.NEGATIVE
    # both valid and invalid parameters were tried, and none ended in a server error
    assert seen[200] > 50 and seen[422] > 10, seen
