"""Shared fixtures for the whole suite (one root conftest); the helpers they use, and the
factories test modules import, are in ``tests/factories.py``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import Settings
from app.main import create_app
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from tests.factories import ON_POSTGRES, SEEDS_DIR, drop_database, new_database_url

if TYPE_CHECKING:
    from app.extraction.pipeline import Extractor


@pytest.fixture(scope="session")
def extractor() -> Iterator[Extractor]:
    """The default extractor (shipped pipelines when present), loaded once per session."""
    from app.extraction.pipeline import Extractor

    yield Extractor.load()


# The suite runs on SQLite by default; with CITAT_DATABASE_URL=postgresql+psycopg://… every
# test gets its own database on that server (see tests/factories.py).
@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database at the head migration, made once and copied per test."""
    url = new_database_url(tmp_path_factory.mktemp("template"))
    upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: str) -> Iterator[str]:
    """URL of a fresh, migrated database for one test."""
    if ON_POSTGRES:
        url = new_database_url(tmp_path, template=make_url(migrated_template).database)
        yield url
        drop_database(url)
        return
    path = tmp_path / "citat.db"
    shutil.copy(migrated_template.removeprefix("sqlite:///"), path)
    yield f"sqlite:///{path}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Engine on the test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database."""
    with Session(engine) as s:
        yield s


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for a test app: its own database, no seeds, a fixed secret."""
    return Settings(
        database_url=db_url,
        load_seeds=False,
        load_demo=False,
        secret_key="test-secret-key",
        secret_file=tmp_path / "secret",
        seeds_dir=SEEDS_DIR,
        queue="immediate",
        cache_seconds=0,
    )


@pytest.fixture
def client(settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """A test client on an empty database."""
    app = create_app(settings, extractor=extractor)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def seeded_client(settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """A test client whose database was seeded from seeds/ at startup."""
    app = create_app(settings.model_copy(update={"load_seeds": True}), extractor=extractor)
    with TestClient(app) as c:
        yield c
