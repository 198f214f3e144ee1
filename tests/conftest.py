"""Shared fixtures for the whole suite (one root conftest)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import PROJECT_ROOT, Settings
from app.main import create_app
from app.storage.db import make_engine
from app.storage.migrate import upgrade

if TYPE_CHECKING:
    from app.extraction.pipeline import Extractor

SEEDS_DIR = PROJECT_ROOT / "seeds"
SEED_ARTICLE = SEEDS_DIR / "sv-rt-trump-starmer-2025-02-27.txt"


@pytest.fixture(scope="session")
def extractor() -> Iterator[Extractor]:
    """The default extractor (shipped pipelines when present), loaded once per session."""
    from app.extraction.pipeline import Extractor

    yield Extractor.load()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the head migration, made once and copied per test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    """URL of a fresh, migrated SQLite database for one test."""
    path = tmp_path / "citat.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


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
        secret_key="test-secret-key",
        secret_file=tmp_path / "secret",
        seeds_dir=SEEDS_DIR,
        queue="immediate",
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


def soup(html: str) -> BeautifulSoup:
    """Parse HTML for selector-based assertions."""
    return BeautifulSoup(html, "html.parser")
