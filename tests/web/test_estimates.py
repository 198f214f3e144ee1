"""A text search counts its matches exactly up to the window it ranks (``RANK_WINDOW``) and
estimates beyond it: the page says "≈ N" (Swedish and English), the pager "of about", the
JSON API ``total_is_estimate``; under the window the total is exact and says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.extraction.records import ExtractedQuote, ExtractedSpeaker, Extraction
from app.main import create_app
from app.storage import search
from tests.factories import soup

# Nine articles, each one quote about the harbour; three of them also about the bridge.
TEXTS = [f"Lena Holm sade: ”Hamnen i Visby behöver {'en ny bro och ' if i % 3 == 0 else ''}"
         f"fler kajer, del {i}”." for i in range(9)]


class Fixed:
    """One quote a text, said by Lena Holm."""

    def extract(self, text: str, language: str | None = None) -> Extraction:
        said = text[text.index("”") + 1:text.rindex("”")]
        start = text.index(said)
        return Extraction("sv", (ExtractedQuote(said, start, start + len(said), "direct",
                                                "Lena Holm", "Lena Holm", "sade", 0.9, 0.95,
                                                "sv"),),
                          (), (ExtractedSpeaker("Lena Holm", "PER", ("Lena Holm",), ()),))


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, extractor=Fixed())) as client:  # type: ignore[arg-type]
        for i, text in enumerate(TEXTS):
            r = client.post("/api/articles", json={
                "text": text, "title": f"Nr {i}",
                "published_at": datetime(2026, 1, 1 + i, tzinfo=UTC).date().isoformat()})
            assert r.status_code == 201
        yield client


def test_totals_past_the_window_are_estimates(app_client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from app.web import lists

    monkeypatch.setattr(search, "RANK_WINDOW", 4)
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)  # (a page that holds every match counts them)
    api = app_client.get("/api/quotes", params={"q": "hamnen", "limit": 2}).json()
    assert api["total_is_estimate"] is True
    assert api["total"] >= 5 and len(api["items"]) == 2
    sv = soup(app_client.get("/search?q=hamnen").text)
    count = sv.select_one("#result-count")
    assert count is not None and count["data-estimate"] == "true"
    estimate = count.select_one(".estimate")
    assert estimate is not None
    assert estimate.get_text() == f"≈ {api['total']} citat."
    assert "4" in str(estimate["title"])  # how many were counted
    en = soup(app_client.get("/search?q=hamnen", headers={"Accept-Language": "en"}).text)
    assert en.select_one("#result-count .estimate").get_text() == (  # type: ignore[union-attr]
        f"≈ {api['total']} quotes.")
    # Three matches of "bro": under the window, counted exactly.
    bridge = app_client.get("/api/quotes", params={"q": "bro", "limit": 2}).json()
    assert bridge["total"] == 3 and bridge["total_is_estimate"] is False
    page = soup(app_client.get("/search?q=bro").text).select_one("#result-count")
    assert page is not None and not page.has_attr("data-estimate")
    assert page.get_text().strip().startswith("3 citat.") and "≈" not in page.get_text()


def test_under_the_window_every_total_is_exact(app_client: TestClient) -> None:
    api = app_client.get("/api/quotes", params={"q": "hamnen", "limit": 2}).json()
    assert api["total"] == 9 and api["total_is_estimate"] is False
    assert soup(app_client.get("/search?q=hamnen").text).select_one(
        "#result-count")["data-total"] == "9"  # type: ignore[index]


def test_the_pager_of_an_estimate_says_about(app_client: TestClient,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 4)
    from app.web import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    pager = soup(app_client.get("/search?q=hamnen",
                                headers={"Accept-Language": "en"}).text).select_one("nav.pager")
    assert pager is not None and "of about" in pager.get_text()


@pytest.mark.parametrize(("found", "last", "first", "end", "expected"), [
    (100, 250, 1, 1000, 400),  # a quarter of the ids hold 100: about 400 in all
    (10, 10, 1, 10, 10),  # every id seen: exactly what was found
    (1000, 1234, 1, 987_654, 800_000),  # rounded to two significant digits
    (50, 99_999, 1, 100, 50),  # never fewer than were found
])
def test_the_estimate(found: int, last: int, first: int, end: int, expected: int) -> None:
    assert search.estimate_total(found, last, first, end) == expected


def test_only_the_newest_window_is_ranked_then_newest_first(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlmodel import Session, col, select

    from app.storage import browse
    from app.storage.models import Quote

    monkeypatch.setattr(search, "RANK_WINDOW", 4)
    with Session(app_client.app.state.engine) as s:  # type: ignore[attr-defined]
        newest = list(s.exec(select(Quote.id).order_by(col(Quote.id).desc())))
        assert search.rank_window(s) == 4
        f = browse.QuoteFilters(q="hamnen")
        first = browse.search(s, f, limit=4)
        assert {r.quote.id for r in first.items} == set(newest[:4])
        assert first.estimated and first.total >= 5
        second = browse.search(s, f, limit=4, offset=4)
        assert [r.quote.id for r in second.items] == newest[4:8]
        across = browse.search(s, f, limit=4, offset=2)  # two ranked, then the newest others
        assert [r.quote.id for r in across.items][2:] == newest[4:6]
        assert set(r.quote.id for r in across.items[:2]) <= set(newest[:4])


def _statements(client: TestClient, url: str) -> list[str]:
    """The SQL statements the app runs to answer ``url``."""
    from sqlalchemy import event

    seen: list[str] = []
    engine = client.app.state.engine  # type: ignore[attr-defined]

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def _searching(statements: list[str]) -> list[str]:
    """The statements that search the full-text index (FTS5 or the tsvector table)."""
    return [s for s in statements if search.FTS_TABLE in s or search.PG_TABLE in s]


def test_a_search_page_searches_the_text_once(app_client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The page, its total and the facets' sample come from one read of the index; the
    facets read the sampled quotes by id (here three of the nine, the newest)."""
    from app.storage import browse

    monkeypatch.setattr(browse, "FACET_SAMPLE", 3)
    statements = _statements(app_client, "/search?q=hamnen")
    assert len(_searching(statements)) == 1
    facet_reads = [s for s in statements if "entityquote" in s or "a.source" in s]
    assert len(facet_reads) == 2 and not _searching(facet_reads)
    page = soup(app_client.get("/search?q=hamnen").text)
    assert page.select_one("#result-count")["data-total"] == "9"  # type: ignore[index]
    # Counted over the three newest: nine quotes by Lena Holm, three of them counted.
    speaker = page.select(".facet-speaker li .count")
    assert [c.get_text() for c in speaker] == ["3"]
    assert "3" in page.select_one(".facet-sample").get_text()  # type: ignore[union-attr]


def test_a_search_that_finds_nothing_counts_no_facets(app_client: TestClient) -> None:
    statements = _statements(app_client, "/search?q=flygplatsen")
    assert len(_searching(statements)) == 1
    assert not [s for s in statements if "entityquote" in s or "a.source" in s]
    page = soup(app_client.get("/search?q=flygplatsen").text)
    assert page.select_one("#result-count")["data-total"] == "0"  # type: ignore[index]
    assert page.select(".facets section") == []


def test_a_common_word_still_finds_its_quotes(app_client: TestClient,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A word in more quotes than the window: a full first page, ranked among the newest,
    the total an estimate at least the number counted, every page reachable newest first."""
    from sqlmodel import Session, col, select

    from app.storage import browse
    from app.storage.models import Quote

    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    with Session(app_client.app.state.engine) as s:  # type: ignore[attr-defined]
        newest = [int(i or 0) for i in s.exec(select(Quote.id).order_by(col(Quote.id).desc()))]
        seen: list[int] = []
        for offset in range(0, 9, 3):
            page = browse.search(s, browse.QuoteFilters(q="hamnen"), limit=3, offset=offset)
            assert page.estimated and page.total >= 4
            assert page.newest == tuple(newest[:3])
            seen += [int(r.quote.id or 0) for r in page.items]
        assert sorted(seen) == sorted(newest)
        assert seen[3:] == newest[3:]


def test_each_engine_ranks_its_own_window(app_client: TestClient,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite ranks and counts at most SQLITE_RANK_WINDOW matches, PostgreSQL RANK_WINDOW:
    with the SQLite limit at 4 and RANK_WINDOW left alone, nine matches are counted exactly
    on PostgreSQL and estimated past the newest four on SQLite, whose first page then holds
    only those four (ranked) before the rest newest first."""
    from sqlmodel import Session, col, select

    from app.storage import browse
    from app.storage.models import Quote

    monkeypatch.setattr(search, "SQLITE_RANK_WINDOW", 4)
    with Session(app_client.app.state.engine) as s:  # type: ignore[attr-defined]
        newest = [int(i or 0) for i in s.exec(select(Quote.id).order_by(col(Quote.id).desc()))]
        page = browse.search(s, browse.QuoteFilters(q="hamnen"), limit=6)
        ids = [int(r.quote.id or 0) for r in page.items]
        if search.is_sqlite_session(s):
            assert search.rank_window(s) == 4
            assert page.estimated and page.total >= 5
            assert set(ids[:4]) == set(newest[:4]) and ids[4:] == newest[4:6]
            assert page.newest == tuple(newest[:4])
        else:
            assert search.rank_window(s) == search.RANK_WINDOW
            assert not page.estimated and page.total == 9
            assert set(ids) <= set(newest) and len(ids) == 6
            assert page.newest == tuple(newest)


def test_a_smaller_window_of_ranking_never_exceeds_rank_window(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """RANK_WINDOW bounds both engines: set below SQLite's own limit it is the window there
    too (the tests above narrow it so)."""
    from sqlmodel import Session

    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    with Session(app_client.app.state.engine) as s:  # type: ignore[attr-defined]
        assert search.rank_window(s) == 3
