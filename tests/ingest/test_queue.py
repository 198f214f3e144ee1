"""The job queue: workers, a killed worker, bounded retries, the in-process worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.extraction.records import Extraction
from app.ingest.queue import JobQueue, WorkerContext
from app.ingest.readers import ArticleIn
from app.main import create_app
from app.storage.db import make_engine
from app.storage.models import Article
from tests.factories import soup

TEXT = "”Vi öppnar skolan igen i augusti”, säger rektor Maria Ek."


def _article(url: str, article_id: int) -> Article:
    engine = make_engine(url)
    with Session(engine) as s:
        a = s.get(Article, article_id)
        assert a is not None
        s.expunge(a)
    engine.dispose()
    return a


def _wait(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queued_settings(settings: Settings, tmp_path: Path) -> Settings:
    """A SQLite-backed huey queue and no in-process worker: separate workers do the work."""
    return settings.model_copy(update={
        "queue": f"sqlite:///{tmp_path / 'queue.db'}", "worker_in_process": False,
        "job_lease_seconds": 1,
    })


def _env(s: Settings) -> dict[str, str]:
    return {**os.environ, "CITAT_DATABASE_URL": s.database_url, "CITAT_QUEUE": s.queue,
            "CITAT_JOB_LEASE_SECONDS": str(s.job_lease_seconds), "CITAT_LOAD_SEEDS": "false"}


SLOW_WORKER = (
    "import time, app.ingest.service as s\n"
    "real = s._extract\n"
    "def slow(e, t):\n"
    "    open({flag!r}, 'w').close()\n"
    "    time.sleep(120)\n"
    "    return real(e, t)\n"
    "s._extract = slow\n"
    "import sys; sys.argv = ['citat', 'worker']\n"
    "from app.cli import main; main()\n"
)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Worker processes started by a test, always stopped afterwards."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=30)


def test_upload_answers_at_once_and_a_killed_worker_loses_nothing(
    queued_settings: Settings, extractor: Any, tmp_path: Path,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    with TestClient(create_app(queued_settings, extractor=extractor)) as client:
        r = client.post("/api/articles", json={"text": TEXT, "title": "Skolan"})
        assert r.status_code == 201
        article_id = r.json()["id"]
        assert r.json()["status"] == "queued" and r.json()["quotes"] == []
        page = soup(client.get(f"/articles/{article_id}").text)
        status = page.select_one("#article-status")
        assert status["data-status"] == "queued" and status["hx-trigger"] == "every 1s"

        # A worker takes the job and is killed in the middle of it.
        flag = tmp_path / "started"
        slow = subprocess.Popen([sys.executable, "-c", SLOW_WORKER.format(flag=str(flag))],
                                env=_env(queued_settings), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        workers.append(slow)
        _wait(flag.exists, 120, "the slow worker to start the job")
        assert _article(queued_settings.database_url, article_id).status == "processing"
        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=30)
        assert _article(queued_settings.database_url, article_id).status == "processing"

        # A new worker finds the job whose lease ran out and finishes it.
        time.sleep(queued_settings.job_lease_seconds + 0.5)
        fresh = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"],
                                 env=_env(queued_settings), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        workers.append(fresh)
        _wait(lambda: _article(queued_settings.database_url, article_id).status == "done",
              120, "the article to be processed after the restart")
        done = client.get(f"/api/articles/{article_id}").json()
        assert [q["text"] for q in done["quotes"]] == ["Vi öppnar skolan igen i augusti"]
        assert done["quotes"][0]["speaker"]["name"] == "Maria Ek"
        # The page stops polling and the status fragment asks htmx for a reload.
        assert soup(client.get(f"/articles/{article_id}").text).select_one(
            "#article-status") is None
        assert client.get(f"/articles/{article_id}/status").headers["HX-Refresh"] == "true"


class Broken:
    """An extractor that always fails (a bug, a corrupt model)."""

    calls = 0

    def extract(self, text: str, language: str | None = None) -> Extraction:
        Broken.calls += 1
        raise RuntimeError("model exploded")


def test_failing_article_is_retried_then_marked_failed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    Broken.calls = 0
    engine = make_engine(settings.database_url)
    queue = JobQueue(settings.model_copy(update={"max_attempts": 3}),
                     WorkerContext(engine, Broken(), settings))
    with Session(engine) as session:
        result = queue.submit(session, ArticleIn(text=TEXT))
    assert result.status == "failed"
    assert Broken.calls == 3
    article = _article(settings.database_url, result.article_id)
    assert article.status == "failed" and article.attempts == 3
    assert article.error == "RuntimeError: model exploded"
    engine.dispose()

    with TestClient(create_app(settings, extractor=Broken())) as client:
        page = soup(client.get(f"/articles/{result.article_id}").text)
        assert page.select_one("#article-status")["data-status"] == "failed"
        assert "model exploded" in page.select_one("#article-status .error-text").get_text()
        assert not page.select_one("#article-status").has_attr("hx-get")

    monkeypatch.setenv("CITAT_DATABASE_URL", settings.database_url)
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["status"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0
    assert "failed: 1" in out.output and "RuntimeError: model exploded" in out.output


def test_serve_runs_an_in_process_worker(queued_settings: Settings, extractor: Any) -> None:
    s = queued_settings.model_copy(update={"worker_in_process": True})
    with TestClient(create_app(s, extractor=extractor)) as client:
        r = client.post("/api/articles", json={"text": TEXT})
        article_id = r.json()["id"]
        _wait(lambda: client.get(f"/api/articles/{article_id}").json()["status"] == "done",
              60, "the in-process worker")
        assert client.get(f"/api/articles/{article_id}").json()["quotes"]


def test_cli_ingest_through_the_queue(queued_settings: Settings, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    for k, v in _env(queued_settings).items():
        if k.startswith("CITAT_"):
            monkeypatch.setenv(k, v)
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["ingest", "--queue", str(f)])
        status = CliRunner().invoke(cli, ["status"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "1 new, 0 already stored, 0 failed, queued for the workers." in out.output
    assert "queued: 1" in status.output


def _reachable(host: str, port: int) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("backend", ["redis", "postgresql"])
def test_the_same_task_code_runs_on_redis_and_postgresql(
    backend: str, settings: Settings, extractor: Any, tmp_path: Path
) -> None:
    from tests.factories import drop_database, new_database_url

    port = 6379 if backend == "redis" else 5432
    if not _reachable("127.0.0.1", port):
        message = f"{backend} is not running on 127.0.0.1:{port}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    scratch = None
    if backend == "redis":
        url = "redis://127.0.0.1:6379/15"
    else:
        scratch = new_database_url(
            tmp_path, server="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        url = scratch
    s = settings.model_copy(update={"queue": url, "worker_in_process": False})
    engine = make_engine(s.database_url)
    queue = JobQueue(s, WorkerContext(engine, extractor, s))
    queue.huey.flush()
    from app.ingest.queue import start_in_process

    consumer = start_in_process(queue, 1)
    try:
        with Session(engine) as session:
            result = queue.submit(session, ArticleIn(text=TEXT))
        assert result.status == "queued"
        _wait(lambda: _article(s.database_url, result.article_id).status == "done", 60,
              f"the {backend} worker")
    finally:
        consumer.stop(graceful=True)
        queue.huey.flush()
        engine.dispose()
        if scratch:
            drop_database(scratch)
