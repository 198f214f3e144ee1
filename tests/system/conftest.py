"""Fixtures of the system tests (the reliability findings run across layers)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """The app on an empty database, as the API's clients meet it."""
    return client
