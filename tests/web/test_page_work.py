"""The work per page: SQL statements per page (the same whatever the number of quotes shown,
so no N+1), pages reading the kept aggregates, templates compiled once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlmodel import Session, col, select

from app.config import Settings
from app.main import create_app
from app.storage import browse
from app.storage.models import Entity, Quote, Speaker
from app.web import urls
from tests.factories import EXTRACTIONS, SAME, TEXT_A, TEXT_B, TEXT_C, TEXT_D, ByText, soup


@pytest.fixture
def archive(settings: Settings) -> Iterator[TestClient]:
    """An app (nothing cached) holding the four articles of tests/factories.py that share
    a quote."""
    with TestClient(create_app(settings, extractor=ByText(EXTRACTIONS))) as client:
        for text in (TEXT_A, TEXT_B, TEXT_C, TEXT_D):
            assert client.post("/api/articles", json={"text": text}).status_code == 201
        yield client


class Statements:
    """Counts the SQL statements the app's engine runs."""

    def __init__(self, client: TestClient) -> None:
        self.n = 0
        self.engine = client.app.state.engine  # type: ignore[attr-defined]
        event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.n += 1

    def of(self, client: TestClient, url: str) -> int:
        self.n = 0
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return self.n


def _session(client: TestClient) -> Session:
    return Session(client.app.state.engine)  # type: ignore[attr-defined]


def test_statements_per_page_do_not_grow_with_the_quotes_shown(archive: TestClient) -> None:
    count = Statements(archive)
    with _session(archive) as s:
        quotes = {q.text: q.public_id for q in s.exec(select(Quote))}
        slugs = {sp.name: sp.slug for sp in s.exec(select(Speaker))}
        entities = {e.name: e.slug for e in s.exec(select(Entity))}
        article = s.exec(select(Quote.article_id).where(Quote.text == "Nej, inte i år")).one()
    # Anna Berg has 4 quotes in 3 articles, Eva Lund 1: the same statements for both (the
    # speaker with their names, counts, months, entities, co-speakers, the entities that are
    # them and who mentions those most, and the uncertain attributions, in one; one page of
    # quotes with their articles and speakers).
    busy, quiet = (count.of(archive, f"/speakers/{slugs[n]}") for n in ("Anna Berg", "Eva Lund"))
    assert (busy, quiet) == (2, 2)
    # Göteborg is in 5 quotes, Malmö in 2 (places: no statement asks for a speaker page):
    # the entity with its count, its newest articles, who mentions it most, one page of its
    # quotes off the kept links.
    assert count.of(archive, f"/entities/{entities['Göteborg']}") == count.of(
        archive, f"/entities/{entities['Malmö']}") == 4
    # A permalink whose quote is reported twice elsewhere (its quote with speaker and article,
    # whether an editor chose its speaker, how many reports it has and its version for the
    # ETag and the page cache, in one read; those reports), and one reported nowhere else (no
    # second read).
    assert count.of(archive, f"/q/{quotes[SAME]}") == 2
    assert count.of(archive, f"/q/{quotes['Nej, inte i år']}") == 1
    assert count.of(archive, "/") == 5
    # An article: it, its quotes with their speakers, its entity mentions with the entities.
    assert count.of(archive, f"/articles/{article}") == 3
    many, one = count.of(archive, "/search?q=Göteborg"), count.of(archive, "/search?q=skatterna")
    # (the ranked page, its rows; the names the words may be, and whose; the facets' sample
    # with its speakers, its entities)
    assert many == one == 8
    # A speaker's name: one more, their newest quotes (one keyset read) above the results.
    assert count.of(archive, "/search?q=Berg") == 9


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether the driver's connection holds an open transaction (psycopg or sqlite3)."""
    info = getattr(dbapi_connection, "info", None)
    if info is not None and hasattr(info, "transaction_status"):  # psycopg
        from psycopg.pq import TransactionStatus
        return bool(info.transaction_status != TransactionStatus.IDLE)
    return bool(dbapi_connection.in_transaction)


def test_read_pages_hold_no_transaction(archive: TestClient) -> None:
    """Home, the permalink (its version read in the ETag middleware, its reports), the
    article page and an entity page (read on its session's connection) run each statement on
    its own: no BEGIN before, no ROLLBACK after (on
    PostgreSQL the ROLLBACK made psycopg forget its prepared statements, so every page's
    statements were planned again). Every statement is seen after it ran, and none left a
    transaction open on its connection; a statement of the writing engine does (the check can
    fail)."""
    engine = archive.app.state.engine  # type: ignore[attr-defined]
    seen: list[bool] = []

    def after(conn: Any, cursor: Any, *_: Any) -> None:
        seen.append(_in_transaction(conn.connection.dbapi_connection))

    event.listen(engine, "after_cursor_execute", after)
    with _session(archive) as s:
        quotes = [q.public_id for q in s.exec(select(Quote).order_by(col(Quote.id)))]
        article = s.exec(select(Quote.article_id).where(Quote.text == SAME)).first()
        s.exec(select(Speaker).where(Speaker.name == "Anna Berg")).one()
        place = s.exec(select(Entity.slug).where(Entity.name == "Göteborg")).one()
        # A plain session opens a transaction (on both engines: SQLite's driver begins one
        # before a write, and a session flushes nothing here, so an UPDATE that changes no
        # row shows it).
        s.exec(update(Speaker).where(col(Speaker.id) == -1).values(name="x"))
        assert seen[-1] is True
    seen.clear()
    pages = ["/", f"/articles/{article}", f"/entities/{place}", *(f"/q/{q}" for q in quotes)]
    for url in pages:
        assert archive.get(url).status_code == 200, url
    # the same reads as the statement counts above: one or two per permalink, three, five and
    # four
    assert len(seen) >= len(quotes) + 3 + 5 + 4
    assert not any(seen)


def test_pages_show_the_kept_numbers(archive: TestClient) -> None:
    with _session(archive) as s:
        slug = s.exec(select(Speaker.slug).where(Speaker.name == "Anna Berg")).one()
        goteborg = s.exec(select(Entity.slug).where(Entity.name == "Göteborg")).one()
    page = soup(archive.get(f"/speakers/{slug}").text)
    assert page.select_one(".n-quotes")["data-n"] == "4"  # type: ignore[index]
    assert page.select_one(".n-articles")["data-n"] == "3"  # type: ignore[index]
    assert len(page.select("ul.quotes > li")) == 4
    entity = soup(archive.get(f"/entities/{goteborg}").text)
    assert [a.text for a in entity.select(".mentioned-by a")] == ["Anna Berg", "Eva Lund",
                                                                  "Polisen"]
    assert len(entity.select("ul.quotes > li")) == 5
    assert len(entity.select("ul.articles li")) == 3


def test_templates_are_compiled_once_and_never_looked_up_again(archive: TestClient) -> None:
    env = archive.app.state.templates.env  # type: ignore[attr-defined]
    assert env.auto_reload is False and env.bytecode_cache is not None
    compiled = set(env.list_templates(extensions=["html"]))
    assert {"home.html", "quote.html", "speaker.html", "search.html"} <= compiled
    assert len(env.cache) >= len(compiled)
    looked_up: list[str] = []
    original = env.loader.get_source

    def get_source(environment: Any, name: str) -> Any:
        looked_up.append(name)
        return original(environment, name)

    env.loader.get_source = get_source
    with _session(archive) as s:
        qid = s.exec(select(Quote.public_id)).first()
    for url in ("/", f"/q/{qid}", "/search?q=bostäder", "/speakers"):
        assert archive.get(url).status_code == 200
    assert looked_up == []


def test_template_links_are_looked_up_once_each(archive: TestClient) -> None:
    url_for = archive.app.state.templates.env.globals["url_for"]  # type: ignore[attr-defined]
    with _session(archive) as s:
        slug = s.exec(select(Speaker.slug).where(Speaker.name == "Anna Berg")).one()
    page = soup(archive.get(f"/speakers/{slug}").text)
    before = url_for.cache_info()
    searched: list[str] = []
    original = urls._candidates

    def candidates(app: Any) -> Any:
        searched.append("routes")
        return original(app)

    urls._candidates = candidates  # type: ignore[assignment]
    try:
        again = soup(archive.get(f"/speakers/{slug}").text)
    finally:
        urls._candidates = original  # type: ignore[assignment]
    after = url_for.cache_info()
    # No link is built by trying the routes again: the fixed ones are compiled into the
    # templates (app.web.localized), the rows' built from their routes' path templates, the
    # others remembered.
    assert after.misses == before.misses and searched == []
    links = [a["href"] for a in again.select("a[href]")]
    assert links == [a["href"] for a in page.select("a[href]")]
    assert sum(h.startswith("/q/") for h in links) >= 4  # her four quotes' permalinks
    app = archive.app
    assert str(url_for({"request": _Request()}, "speaker", slug=slug)) == (
        "http://testserver" + str(app.url_path_for("speaker", slug=slug)))  # type: ignore[attr-defined]


class _Request:
    base_url = "http://testserver/"


def test_facets_count_the_newest_matches_only(archive: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browse, "FACET_SAMPLE", 2)
    with _session(archive) as s:
        f = browse.QuoteFilters(q="Göteborg")
        assert browse.search(s, f).total == 5  # the total stays exact
        kinds = browse.facets(s, f)["kind"]
        assert [(k.value, k.count) for k in kinds] == [("direct", 2)]
        assert sum(v.count for v in browse.facets(s, f)["speaker"]) == 2
        assert browse.facets_of(s, f).sampled == 2
    # The page says what the counts are of.
    note = soup(archive.get("/search?q=Göteborg").text).select_one(".facets .facet-sample")
    assert note is not None and "2" in note.text
    monkeypatch.setattr(browse, "FACET_SAMPLE", 5)
    with _session(archive) as s:
        # Five matches in a sample of five: counted as the whole set.
        every = browse.facets_of(s, browse.QuoteFilters(q="Göteborg "))
        assert every.sampled == 5
        monkeypatch.setattr(browse, "FACET_SAMPLE", 6)
        every = browse.facets_of(s, browse.QuoteFilters(q="Göteborg "))
        assert every.sampled is None
        assert sum(v.count for v in every.values["kind"]) == 5
    assert soup(archive.get("/search?q=Göteborg+").text).select_one(".facet-sample") is None
