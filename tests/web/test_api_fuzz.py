"""schemathesis against the OpenAPI schema: no generated request may get a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from app.config import Settings
from app.main import create_app
from app.storage.migrate import upgrade
from tests.factories import EXTRACTION, FixedExtractor, drop_database, new_database_url


def _settings(url: str, **more: Any) -> Settings:
    return Settings(database_url=url, load_seeds=False, load_demo=False, secret_key="fuzz",
                    queue="immediate", ratelimit_upload="100000/minute", **more)


# The schema is the app's own: FastAPI builds it without a request or a database, so nothing
# is stored or migrated when this module is imported.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(create_app(_settings("sqlite://")).openapi())))


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One app for the whole module, on a migrated database of its own."""
    folder = tmp_path_factory.mktemp("fuzz")
    url = new_database_url(folder)
    upgrade(url)
    yield create_app(_settings(url, secret_file=folder / "secret"),
                     extractor=FixedExtractor(EXTRACTION))
    drop_database(url)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, fuzzed_app: Any) -> None:
    case.call_and_validate(app=fuzzed_app, checks=[not_a_server_error])
