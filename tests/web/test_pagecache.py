"""The page micro-cache: anonymous readers share a rendered page, each with their own CSRF
token; editors and writes always see the database."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.storage.db import make_engine
from app.storage.models import Speaker
from app.web import pagecache
from tests.factories import (
    EXTRACTION,
    Q1,
    TEXT,
    FixedExtractor,
    add_editor,
    login,
    quote_id_at,
    soup,
)


@pytest.fixture
def cached(settings: Settings) -> Iterator[tuple[TestClient, list[str]]]:
    """An app with the page cache on (60 s), one article, one editor; and its SQL log."""
    s = settings.model_copy(update={"cache_seconds": 60.0, "ratelimit_report": "100/minute"})
    add_editor(s.database_url)
    app = create_app(s, extractor=FixedExtractor(EXTRACTION))
    statements: list[str] = []
    with TestClient(app) as client:
        event.listen(app.state.engine, "before_cursor_execute",
                     lambda _c, _cur, stmt, *_a: statements.append(stmt))
        assert client.post("/api/articles", json={"text": TEXT}).status_code == 201
        yield client, statements


def _rename_in_database(settings: Settings, old: str, new: str) -> None:
    """Change a speaker behind the app's back (another process, say)."""
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        sp = session.exec(select(Speaker).where(Speaker.name == old)).one()
        sp.name = new
        session.add(sp)
        session.commit()
    engine.dispose()


def _speaker(html: str) -> str:
    node = soup(html).select_one(".attribution .speaker")
    assert node is not None
    return node.get_text(strip=True)


def _article(client: TestClient) -> str:
    return f"/articles/{client.get('/api/quotes').json()['items'][0]['article_id']}"


def _names(html: str) -> set[str]:
    """The speakers named on an article page's quote rows."""
    return {a.get_text(strip=True) for a in soup(html).select(".article-quotes a.speaker")}


def test_a_page_is_rendered_once_for_anonymous_readers(
    cached: tuple[TestClient, list[str]], settings: Settings
) -> None:
    client, statements = cached
    url = _article(client)
    first = client.get(url)
    assert first.status_code == 200 and "Anna Berg" in _names(first.text)
    statements.clear()
    _rename_in_database(settings, "Anna Berg", "Anna Berg-Lind")
    again = client.get(url)
    assert again.status_code == 200
    assert statements == []  # served without touching the database
    assert "Anna Berg" in _names(again.text)  # the stored page, within CITAT_CACHE_SECONDS
    assert again.headers["content-type"].startswith("text/html")
    assert int(again.headers["content-length"]) == len(again.content)
    assert "content-security-policy" in again.headers  # headers still added on every hit
    # A write in this process (any POST) empties the cache: the next view is fresh.
    client.post(f"/q/{quote_id_at(client, Q1[0])}/report", data={"message": "x"})
    assert "Anna Berg-Lind" in _names(client.get(url).text)


def test_a_permalink_is_cached_by_its_version_and_fresh_at_once(
    cached: tuple[TestClient, list[str]], settings: Settings
) -> None:
    """A change made elsewhere (another web process, a script) shows on a permalink at once:
    the cache keys it by the quote's version, read with one statement per request."""
    client, statements = cached
    qid = quote_id_at(client, Q1[0])
    assert _speaker(client.get(f"/q/{qid}").text) == "Anna Berg"
    statements.clear()
    again = client.get(f"/q/{qid}")
    assert _speaker(again.text) == "Anna Berg"
    assert len(statements) == 1 and statements[0].startswith("SELECT quote.type")
    _rename_in_database(settings, "Anna Berg", "Anna Berg-Lind")
    assert _speaker(client.get(f"/q/{qid}").text) == "Anna Berg-Lind"


def test_every_reader_gets_their_own_working_csrf_token(
    cached: tuple[TestClient, list[str]], settings: Settings
) -> None:
    client, _ = cached
    qid = quote_id_at(client, Q1[0])
    tokens = []
    for _ in range(2):
        client.cookies.clear()  # a new visitor: no CSRF cookie yet
        page = client.get(f"/q/{qid}")
        field = soup(page.text).select_one(".report-form input[name=csrf_token]")
        assert field is not None and field["value"]
        assert "\x00" not in page.text
        tokens.append(str(field["value"]))
        assert page.cookies.get("citat_csrf")  # the cookie half comes with the cached page
        r = client.post(f"/q/{qid}/report", data={"csrf_token": field["value"],
                                                  "message": "fel talare"},
                        follow_redirects=False)
        assert r.status_code == 303
    assert tokens[0] != tokens[1]
    # Another visitor's token from a cached page is refused for this visitor.
    client.cookies.clear()
    client.get(f"/q/{qid}")
    r = client.post(f"/q/{qid}/report", data={"csrf_token": tokens[0], "message": "x"},
                    follow_redirects=False, headers={"Accept-Language": "en"})
    assert r.status_code == 403 and "not sent from this site" in r.text  # 400 before 4db2cd1


def test_editors_always_see_the_database(
    cached: tuple[TestClient, list[str]], settings: Settings
) -> None:
    client, statements = cached
    qid = quote_id_at(client, Q1[0])
    client.get(f"/q/{qid}")  # cached for anonymous readers
    assert login(client) == 303
    _rename_in_database(settings, "Anna Berg", "Anna Lind")
    statements.clear()
    page = client.get(f"/q/{qid}")
    assert _speaker(page.text) == "Anna Lind" and statements  # rendered from the database
    assert soup(page.text).select("section.corrections form")  # the editor's own controls
    client.cookies.clear()
    anonymous = client.get(f"/q/{qid}")
    assert not soup(anonymous.text).select("section.corrections")  # never stored for others


def test_fragments_languages_and_misses_are_kept_apart(
    cached: tuple[TestClient, list[str]]
) -> None:
    client, _ = cached
    full = client.get("/search", params={"q": "budget"})
    fragment = client.get("/search", params={"q": "budget"}, headers={"HX-Request": "true"})
    assert soup(full.text).select_one("html") is not None
    assert "<html" not in fragment.text  # htmx's fragment is not the full page
    assert "<html" in client.get("/search", params={"q": "budget"}).text
    sv = client.get("/", headers={"Accept-Language": "sv"})
    en = client.get("/", headers={"Accept-Language": "en"})
    assert soup(sv.text).html["lang"] == "sv" and soup(en.text).html["lang"] == "en"
    assert client.get("/q/doesnotexist").status_code == 404
    assert client.get("/q/doesnotexist").status_code == 404  # errors are not stored


def test_cache_seconds_zero_turns_it_off(settings: Settings) -> None:
    app = create_app(settings, extractor=FixedExtractor(EXTRACTION))  # conftest: 0 seconds
    with TestClient(app) as client:
        assert client.post("/api/articles", json={"text": TEXT}).status_code == 201
        qid = quote_id_at(client, Q1[0])
        client.get(f"/q/{qid}")
        _rename_in_database(settings, "Anna Berg", "Anna Holm")
        assert _speaker(client.get(f"/q/{qid}").text) == "Anna Holm"


def test_an_expired_page_is_rendered_again_once_while_every_reader_gets_the_old_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now[0])
    pages = pagecache.RenderedPages(10.0)
    old = pagecache.CachedPage(200, (), (b"old",))
    assert pages.lookup("k") == (None, False)  # never stored: the caller renders
    pages.put("k", old)
    now[0] += 5
    assert pages.lookup("k") == (old, False)  # fresh for at least half of the 10 seconds
    now[0] += 10
    assert pages.lookup("k") == (old, True)  # expired: served, and this caller refreshes it
    assert pages.lookup("k") == (old, False)  # ... the others just get the old page
    new = pagecache.CachedPage(200, (), (b"new",))
    pages.put("k", new)
    assert pages.lookup("k") == (new, False)
    now[0] += 15
    assert pages.lookup("k") == (new, True)
    pages.release("k")  # that render failed or was not stored: the next caller tries
    assert pages.lookup("k") == (new, True)
    pages.release("k")
    now[0] += 60  # far too old to be served even while another request renders
    assert pages.lookup("k") == (None, False) and pages.lookup("k") == (None, False)
    pages.put("k", new)
    pages.clear()
    assert pages.lookup("k") == (None, False)


def test_a_stale_page_is_rendered_again_off_the_request_path(
    cached: tuple[TestClient, list[str]], settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, statements = cached
    url = _article(client)
    now = [pagecache.time.monotonic()]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now[0])
    assert "Anna Berg" in _names(client.get(url).text)
    _rename_in_database(settings, "Anna Berg", "Anna Bergström")
    now[0] += 120  # stale (fresh for 30-60 s), still served (up to 360 s)
    statements.clear()
    assert "Anna Berg" in _names(client.get(url).text)  # the old page, at once ...
    deadline = time.perf_counter() + 10  # monotonic() is frozen above
    while True:  # ... while it is rendered again in the background
        statements.clear()
        page = client.get(url).text
        if "Anna Bergström" in _names(page):
            break
        assert time.perf_counter() < deadline, "the stale page was never refreshed"
        time.sleep(0.05)
    # The background render may still have been writing its statements during the request
    # that first saw the new page: the next request is answered from the cache alone.
    statements.clear()
    assert "Anna Bergström" in _names(client.get(url).text)
    assert statements == []
