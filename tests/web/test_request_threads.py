"""CITAT_REQUEST_THREADS: how many threads a web process runs its requests' blocking work on."""

from __future__ import annotations

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app


def _tokens(client: TestClient) -> float:
    """The request threads' limit of the app's event loop, read on that loop."""
    return client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)


def test_the_setting_limits_the_request_threads_and_the_pages_still_answer(
        settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"request_threads": 1}))
    with TestClient(app) as client:
        assert _tokens(client) == 1
        assert client.get("/").status_code == 200
        assert client.get("/search", params={"q": "hamnen"}).status_code == 200


def test_unset_it_leaves_the_servers_default(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert _tokens(client) == 40


@pytest.mark.parametrize("bad", [0, -1, 1001])
def test_a_number_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValidationError):
        Settings(request_threads=bad)
