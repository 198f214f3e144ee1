"""schemathesis against the OpenAPI schema: no generated request may get a 5xx."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from app.config import Settings
from app.main import create_app
from app.storage.migrate import upgrade
from tests.conftest import drop_database, new_database_url
from tests.test_storage import EXTRACTION, FixedExtractor

# One app for the whole module: schemathesis needs the schema at import time.
_dir = Path(tempfile.mkdtemp(prefix="citat-fuzz-"))
_url = new_database_url(_dir)
upgrade(_url)
APP = create_app(
    Settings(database_url=_url, load_seeds=False, load_demo=False, secret_key="fuzz",
             queue="immediate",
             secret_file=_dir / "secret", ratelimit_upload="100000/minute"),
    extractor=FixedExtractor(EXTRACTION),
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def teardown_module() -> None:
    drop_database(_url)
    shutil.rmtree(_dir, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
