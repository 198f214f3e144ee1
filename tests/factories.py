"""What many test modules build: databases on either engine, apps, users, logins, live
servers, extractor doubles and small articles with their exact extraction.

One module for all of it, so no test module imports from another (``conftest.py`` holds the
fixtures and takes its helpers from here). Everything is explicit and deterministic: the
articles are invented for the tests, the doubles return what they are given.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import psycopg
from bs4 import BeautifulSoup
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.extraction.records import ExtractedEntity, ExtractedQuote, ExtractedSpeaker, Extraction
from app.storage.db import make_engine

if TYPE_CHECKING:
    import pytest
    from fastapi.testclient import TestClient

    from app.config import Settings

SEEDS_DIR = PROJECT_ROOT / "seeds"
SEED_ARTICLE = SEEDS_DIR / "sv-rt-trump-starmer-2025-02-27.txt"

# -- Databases on the engine under test -------------------------------------------------------

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


# -- Pages, users and logins ------------------------------------------------------------------

#: The editor account the web tests log in with.
EDITOR = "redaktor"
PASSWORD = "ett långt lösenord för test"


def soup(html: str) -> BeautifulSoup:
    """Parse HTML for selector-based assertions."""
    return BeautifulSoup(html, "html.parser")


def csrf_token(client: TestClient, path: str) -> str:
    """The CSRF token of the (first) form on the page at ``path``."""
    field = soup(client.get(path).text).select_one("input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


def add_editor(database_url: str, name: str = EDITOR, password: str = PASSWORD) -> None:
    """Create an editor account in the database at ``database_url`` (before an app starts)."""
    from app.services.accounts import create_user

    engine = make_engine(database_url)
    with Session(engine) as session:
        create_user(session, name, password)
    engine.dispose()


def login(client: TestClient, password: str = PASSWORD, name: str = EDITOR,
          next_url: str = "/editor") -> int:
    """Log in through the form; the answer's status (303 when the password is right)."""
    r = client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                    "username": name, "password": password, "next": next_url},
                    follow_redirects=False)
    return r.status_code


def quote_id_at(client: TestClient, start: int) -> str:
    """The permalink id of the stored quote that starts at ``start``."""
    items = client.get("/api/quotes", params={"limit": 50}).json()["items"]
    return str(next(q["id"] for q in items if q["start"] == start))


# -- Live servers and the command line --------------------------------------------------------

def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: Any, *, proxy_headers: bool = True, http: Any = "auto") -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free loopback port; yields its base URL
    (use as ``for base in serve(app):`` or ``yield from serve(app)`` in a fixture); ``http``:
    uvicorn's protocol (a name or a class)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=http,
                                           proxy_headers=proxy_headers, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def serve_cli(code: str, db_url: str, tmp_path: Path, **env: str
              ) -> tuple[subprocess.Popen[bytes], str]:
    """``citat serve`` (default in-process worker) in a real process on a free port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "CITAT_DATABASE_URL": db_url, "CITAT_PORT": str(port),
             "CITAT_QUEUE": f"sqlite:///{tmp_path / 'queue.db'}", "CITAT_LOAD_SEEDS": "false",
             "CITAT_SECRET_KEY": "test-secret-key", "CITAT_CACHE_SECONDS": "0",
             "CITAT_RATELIMIT_UPLOAD": "100/minute",
             # The child imports tests.system.slow_extraction: the project on its path.
             "PYTHONPATH": os.pathsep.join(
                 p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p),
             **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/quotes?limit=1", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("citat serve did not start")


def ingest_cli(args: list[str], db_url: str, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[int, str]:
    """``citat ingest --jobs 1 ARGS`` on ``db_url`` (in a thread: a hang fails, not blocks);
    its exit code and output."""
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings

    monkeypatch.setenv("CITAT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(
        CliRunner().invoke(cli, ["ingest", "--jobs", "1", *args])), daemon=True)
    worker.start()
    worker.join(120)
    get_settings.cache_clear()
    assert out, "citat ingest hung"
    return out[0].exit_code, out[0].output


# -- Extractor doubles ------------------------------------------------------------------------

class FixedExtractor:
    """A test double that returns a prepared Extraction, so storage is tested exactly."""

    def __init__(self, extraction: Extraction) -> None:
        self.extraction = extraction
        self.calls = 0

    def extract(self, text: str, language: str | None = None) -> Extraction:
        self.calls += 1
        return self.extraction


class ByText:
    """A test double returning the prepared extraction of each text (or a replacement)."""

    def __init__(self, extractions: dict[str, Extraction]) -> None:
        self.extractions = dict(extractions)

    def extract(self, text: str, language: str | None = None) -> Extraction:
        return self.extractions[text]

    def extract_many(self, texts: Iterable[str]) -> Iterator[Extraction]:
        return iter([self.extractions[t] for t in texts])


@contextmanager
def app_with_article(settings: Settings, extraction: Extraction, **article: str
                     ) -> Iterator[TestClient]:
    """A test client on an app whose extractor returns ``extraction``, with one article stored
    through the API (``article``: its JSON fields, ``text`` and any of title, source, …)."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings, extractor=FixedExtractor(extraction))) as client:
        r = client.post("/api/articles", json=article)
        assert r.status_code == 201, r.text
        yield client


def span(text: str, sub: str) -> tuple[int, int]:
    """Where ``sub`` first stands in ``text``: (start, end)."""
    i = text.index(sub)
    return i, i + len(sub)


# -- A Swedish article: a partial, a direct and a reported quote ------------------------------

#: Two speakers (a person, the police), two entities; storage, editing and pages use it.
TEXT = (
    "Statsministern Anna Berg sade att regeringen ”ska hjälpa alla”.\n"
    "”Vi har inga allianser att vänta på”, sade Berg.\n"
    "Polisen uppgav att ingen skadades i Göteborg."
)


def text_quote(start: int, end: int, kind: str = "direct", speaker: str | None = "Anna Berg",
               mention: str | None = "Berg") -> ExtractedQuote:
    """A quote of ``TEXT`` at ``start:end``."""
    return ExtractedQuote(text=TEXT[start:end], start=start, end=end, type=kind,  # type: ignore[arg-type]
                          speaker=speaker, speaker_mention=mention, cue="sade", confidence=0.9,
                          speaker_confidence=0.8, language="sv")


Q1 = span(TEXT, "ska hjälpa alla")
Q2 = span(TEXT, "Vi har inga allianser att vänta på")
Q3 = span(TEXT, "ingen skadades i Göteborg")
EXTRACTION = Extraction(
    language="sv",
    quotes=(
        text_quote(*Q1, kind="partial", mention="Statsministern Anna Berg"),
        text_quote(*Q2),
        text_quote(*Q3, kind="indirect", speaker="Polisen", mention="Polisen"),
    ),
    entities=(
        ExtractedEntity("Anna Berg", "PER", *span(TEXT, "Anna Berg")),
        ExtractedEntity("Göteborg", "LOC", *span(TEXT, "Göteborg")),
    ),
    speakers=(
        ExtractedSpeaker("Anna Berg", "PER", ("Anna Berg", "Berg"), ("Statsministern",)),
        ExtractedSpeaker("Polisen", "ORG", ("Polisen",), ()),
    ),
)

# -- An English article with a sure, an unsure, an unknown and a half-sure speaker ------------

# One attribution the extractor is sure of, one it is not (62 %), one without a speaker, and
# one at 50 % that an editor will deal with.
LIBRARY_TEXT = (
    "Maria Lindqvist opened the valley library on Monday.\n"
    "\u201cBooks are the cheapest journey there is,\u201d Lindqvist said.\n"
    "\u201cWe will open on Sundays too,\u201d she added later in the week.\n"
    "\u201cNobody asked the readers,\u201d a sign outside read.\n"
    "Tom Whitaker thought the building was too small for a library."
)
SURE, UNSURE, NOBODY, HALF = ("Books are the cheapest journey there is,",
                              "We will open on Sundays too,", "Nobody asked the readers,",
                              "the building was too small for a library")


def _library_quote(sub: str, speaker: str | None, confidence: float, kind: str = "direct"
                   ) -> ExtractedQuote:
    start = LIBRARY_TEXT.index(sub)
    return ExtractedQuote(text=sub, start=start, end=start + len(sub), type=kind,  # type: ignore[arg-type]
                          speaker=speaker, speaker_mention=speaker and speaker.split()[-1],
                          cue="said", confidence=0.9, speaker_confidence=confidence,
                          language="en")


LIBRARY_EXTRACTION = Extraction(
    language="en",
    quotes=(_library_quote(SURE, "Maria Lindqvist", 0.95),
            _library_quote(UNSURE, "Maria Lindqvist", 0.62),
            _library_quote(NOBODY, None, 0.0),
            _library_quote(HALF, "Tom Whitaker", 0.5, "indirect")),
    entities=(ExtractedEntity("Maria Lindqvist", "PER", *span(LIBRARY_TEXT, "Maria Lindqvist")),
              ExtractedEntity("Sundays", "MISC", *span(LIBRARY_TEXT, "Sundays")),
              ExtractedEntity("Tom Whitaker", "PER", *span(LIBRARY_TEXT, "Tom Whitaker"))),
    speakers=(ExtractedSpeaker("Maria Lindqvist", "PER", ("Lindqvist",), ()),
              ExtractedSpeaker("Tom Whitaker", "PER", ("Whitaker",), ())),
)

# -- Four Swedish articles that share a quote (aggregates, "also reported") -------------------

SAME = "Vi måste bygga fler bostäder i Göteborg nu"
TEXT_A = f"Anna Berg sade: ”{SAME}”.\nPolisen uppgav att ”ingen skadades i Göteborg”."
TEXT_B = (f"Enligt Anna Berg: ”{SAME}”. Karl Ek sade: ”Det håller jag inte med om alls”. "
          "Berg svarade: ”Göteborg behöver bostäder och Malmö också”.")
TEXT_C = "Karl Ek sade: ”Skatterna ska sänkas i Malmö”. Anna Berg sade: ”Nej, inte i år”."
TEXT_D = f"Tidningen skrev att Eva Lund sade: ”{SAME}”. Hon nämnde Göteborg."


def direct_quote(text: str, sub: str, speaker: str | None, mention: str | None = None
                 ) -> ExtractedQuote:
    """A direct quote of ``sub`` in ``text`` (Swedish, "sade")."""
    i = text.index(sub)
    return ExtractedQuote(text=sub, start=i, end=i + len(sub), type="direct", speaker=speaker,
                          speaker_mention=mention or speaker, cue="sade", confidence=0.9,
                          speaker_confidence=0.8, language="sv")


def places(text: str, *names: str) -> tuple[ExtractedEntity, ...]:
    """Every occurrence of each name in ``text`` as a place (LOC)."""
    out = []
    for name in names:
        start = 0
        while (i := text.find(name, start)) >= 0:
            out.append(ExtractedEntity(name, "LOC", i, i + len(name)))
            start = i + 1
    return tuple(out)


def people(*names: str) -> tuple[ExtractedSpeaker, ...]:
    """Speakers (persons) known by their full names only."""
    return tuple(ExtractedSpeaker(n, "PER", (n,), ()) for n in names)


EXTRACTIONS = {
    TEXT_A: Extraction("sv", (direct_quote(TEXT_A, SAME, "Anna Berg"),
                              direct_quote(TEXT_A, "ingen skadades i Göteborg", "Polisen")),
                       places(TEXT_A, "Göteborg"), people("Anna Berg", "Polisen")),
    TEXT_B: Extraction("sv", (direct_quote(TEXT_B, SAME, "Anna Berg"),
                              direct_quote(TEXT_B, "Det håller jag inte med om alls", "Karl Ek"),
                              direct_quote(TEXT_B, "Göteborg behöver bostäder och Malmö också",
                                           "Anna Berg", "Berg")),
                       places(TEXT_B, "Göteborg", "Malmö"), people("Anna Berg", "Karl Ek")),
    TEXT_C: Extraction("sv", (direct_quote(TEXT_C, "Skatterna ska sänkas i Malmö", "Karl Ek"),
                              direct_quote(TEXT_C, "Nej, inte i år", "Anna Berg")),
                       places(TEXT_C, "Malmö"), people("Karl Ek", "Anna Berg")),
    TEXT_D: Extraction("sv", (direct_quote(TEXT_D, SAME, "Eva Lund", "Hon"),),
                       places(TEXT_D, "Göteborg"), people("Eva Lund")),
}
DATES = {TEXT_A: datetime(2026, 1, 5, tzinfo=UTC), TEXT_B: datetime(2026, 1, 20, tzinfo=UTC),
         TEXT_C: datetime(2026, 3, 2, tzinfo=UTC), TEXT_D: datetime(2026, 3, 9, tzinfo=UTC)}


#: Request headers asking for each interface language.
EN = {"Accept-Language": "en"}
SV = {"Accept-Language": "sv"}
