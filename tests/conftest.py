"""Shared fixtures for the whole suite (one root conftest)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
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


# The suite runs on SQLite by default. With CITAT_DATABASE_URL=postgresql+psycopg://… it runs
# on that PostgreSQL server instead: every test gets a fresh database cloned from a migrated
# template (CREATE DATABASE … TEMPLATE), dropped afterwards.
SERVER_URL = os.environ.get("CITAT_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")
_counter = itertools.count()


def _admin(server: str) -> psycopg.Connection[Any]:
    url = make_url(server).set(drivername="postgresql", database="postgres")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def new_database_url(tmp_dir: Path, template: str | None = None, server: str = SERVER_URL
                     ) -> str:
    """A fresh empty (or template-cloned) database on the engine under test (or ``server``)."""
    if not server.startswith("postgresql"):
        return f"sqlite:///{tmp_dir / f'citat-{next(_counter)}.db'}"
    name = f"citat_test_{os.getpid()}_{next(_counter)}"
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Remove a PostgreSQL test database (SQLite files go with their temp folder)."""
    if url.startswith("postgresql"):
        with _admin(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


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


def soup(html: str) -> BeautifulSoup:
    """Parse HTML for selector-based assertions."""
    return BeautifulSoup(html, "html.parser")


def row_counts(url: str) -> tuple[int, int]:
    """(articles, quotes) stored in the database at ``url``."""
    from sqlmodel import func, select

    from app.storage.models import Article, Quote

    engine = make_engine(url)
    with Session(engine) as s:
        n = (s.exec(select(func.count()).select_from(Article)).one(),
             s.exec(select(func.count()).select_from(Quote)).one())
    engine.dispose()
    return n
