"""A speaker's and an entity's quotes a page at a time by cursor (app/storage/keyset.py): the
pages after and before each other cover every visible quote exactly once, in list order (the
article's date newest first, then the article, the quote's place in it, its id), through
ties of date and of article; an old ``?page=N`` gives the same page; on the web page the
pager's links walk the whole list. On whichever engine the suite runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from app.config import Settings
from app.extraction.records import ExtractedEntity, ExtractedQuote, ExtractedSpeaker, Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.main import create_app
from app.services.accounts import create_user
from app.storage import corrections, keyset
from app.storage.models import Entity, EntityQuote, Quote, Speaker
from tests.factories import soup

# Eleven articles by one speaker, each naming one place in some of its quotes. Articles 3-5
# share a date (ties of date: the article decides), article 7 holds its quotes out of text
# order in the extraction, and every article has one to four quotes.
PLACES = ("Umeå", "Luleå")
WORDS = ("bostäder", "skolor", "vägar", "vården", "polisen")


def _article(n: int) -> tuple[str, Extraction, datetime]:
    sentences, quotes, ents = [], [], []
    pos = 0
    for k in range(n % 4 + 1):
        said = f"Vi behöver fler {WORDS[(n + k) % 5]} i {PLACES[(n + k) % 2]} år {2000 + n}"
        line = f"Anna Berg sade: ”{said}”. "
        start = pos + line.index(said)
        quotes.append(ExtractedQuote(said, start, start + len(said), "direct", "Anna Berg",
                                     "Anna Berg", "sade", 0.9, 0.95, "sv"))
        place = PLACES[(n + k) % 2]
        at = pos + line.index(place)
        if k != 1:  # the second quote of each article names its place only in passing
            ents.append(ExtractedEntity(place, "LOC", at, at + len(place)))
        sentences.append(line)
        pos += len(line)
    if n == 7:
        quotes.reverse()
    day = datetime(2026, 2, 20, tzinfo=UTC) if n in (3, 4, 5) else datetime(
        2026, 1, 1 + n, tzinfo=UTC)
    text = "".join(sentences)
    return text, Extraction("sv", tuple(quotes), tuple(ents),
                            (ExtractedSpeaker("Anna Berg", "PER", ("Anna Berg",), ()),)), day


ARTICLES = [_article(n) for n in range(11)]


class Fixed:
    """The prepared extraction of each text."""

    def __init__(self) -> None:
        self.by_text = {text: ex for text, ex, _ in ARTICLES}

    def extract(self, text: str, language: str | None = None) -> Extraction:
        return self.by_text[text]


def _store(session: Session) -> None:
    for i, (text, _, day) in enumerate(ARTICLES):
        ingest(session, Fixed(), ArticleIn(text=text, title=f"Artikel {i}", published_at=day))
    # Two quotes are "not a quote": left out of both lists.
    editor = create_user(session, "redaktor", "ett långt lösenord här")
    hidden = session.exec(select(Quote).order_by(col(Quote.id))).all()[4:13:8]
    for q in hidden:
        corrections.set_not_a_quote(session, editor, q.public_id, True)
    session.commit()


def _expected(session: Session, entity_id: int | None = None) -> list[int]:
    """The visible quotes of the list in list order, sorted here in Python."""
    stmt = select(Quote).where(col(Quote.hidden).is_(False))
    if entity_id is not None:
        stmt = stmt.where(col(Quote.id).in_(
            select(EntityQuote.quote_id).where(EntityQuote.entity_id == entity_id)))
    rows = list(session.exec(stmt))
    rows.sort(key=lambda q: q.start)
    rows.sort(key=lambda q: (q.article_date, q.article_id), reverse=True)
    return [q.id for q in rows if q.id is not None]


def _lists(session: Session) -> list[tuple[str, int, list[int]]]:
    speaker = session.exec(select(Speaker).where(Speaker.name == "Anna Berg")).one()
    out: list[tuple[str, int, list[int]]] = [("speaker", speaker.id or 0, _expected(session))]
    for place in PLACES:
        ent = session.exec(select(Entity).where(Entity.name == place)).one()
        out.append(("entity", ent.id or 0, _expected(session, ent.id)))
    return out


def _ids(page: keyset.KeysetPage) -> list[int]:
    return [r.quote.id or 0 for r in page.items]


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_pages_after_and_before_cover_every_quote_once_in_order(session: Session,
                                                                 limit: int) -> None:
    _store(session)
    for kind, key, expected in _lists(session):
        assert len(expected) > limit
        pages = [keyset.page(session, kind, key, len(expected), limit)]
        assert pages[0].before is None
        while pages[-1].after is not None:
            assert len(pages) <= len(expected), "the cursor does not move on"
            pages.append(keyset.page(session, kind, key, len(expected), limit,
                                     after=pages[-1].after))
        walked = [i for p in pages for i in _ids(p)]
        assert walked == expected, kind
        assert all(len(p.items) == limit for p in pages[:-1])
        # Back from the last page by the "before" cursors: the same pages, in reverse.
        back = [pages[-1]]
        while back[-1].before is not None:
            assert len(back) <= len(pages), "the cursor does not move back"
            back.append(keyset.page(session, kind, key, len(expected), limit,
                                    before=back[-1].before))
        assert [_ids(p) for p in reversed(back)] == [_ids(p) for p in pages], kind
        # An old ?page=N (an offset) is the same page as the one reached by cursor.
        for n, p in enumerate(pages):
            by_number = keyset.page(session, kind, key, len(expected), limit,
                                    offset=n * limit)
            assert _ids(by_number) == _ids(p)
            assert (by_number.after is None) == (p.after is None)


def test_the_page_size_is_written_into_the_statement_not_bound(engine: Engine,
                                                               session: Session) -> None:
    """The list's statement carries its LIMIT as a number (PostgreSQL then keeps one generic
    plan of the prepared statement; with a placeholder it planned every page anew at a million
    quotes): the first page and the page after a cursor alike, and the rows are the same."""
    _store(session)
    kind, key, expected = _lists(session)[0]
    sent: list[str] = []

    def keep(_c: object, _cur: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        first = keyset.page(session, kind, key, len(expected), 3)
        assert first.after is not None
        after = keyset.page(session, kind, key, len(expected), 3, after=first.after)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    pages = [s for s in sent if "ORDER BY" in s and "LIMIT" in s]
    assert len(pages) == 2
    assert all(re.search(r"LIMIT 4\b", s) for s in pages), pages  # three and one to see more
    assert _ids(first) == expected[:3] and _ids(after) == expected[3:6]


def test_cursors_survive_the_url_and_refuse_anything_else(session: Session) -> None:
    _store(session)
    kind, key, expected = _lists(session)[0]
    first = keyset.page(session, kind, key, len(expected), 3)
    assert first.after is not None
    text = first.after.encode()
    assert keyset.Cursor.decode(text) == keyset.Cursor.decode(text + "")
    again = keyset.page(session, kind, key, len(expected), 3,
                        after=keyset.Cursor.decode(text))
    assert _ids(again) == expected[3:6]
    for bad in ("", "abc", "20260101.1.2.3", text + "x", "2026130100000000000" + "0.1.2.3",
                "20260101000000000000.99999999999.1.1"):
        assert keyset.Cursor.decode(bad) is None, bad


def _walk(client: TestClient, url: str) -> tuple[list[str], list[str]]:
    """Follow a page's "next" links to the end: the permalinks of every row, and the labels."""
    found: list[str] = []
    labels: list[str] = []
    while url:
        assert len(labels) < 50, "the pager does not move on"
        page = soup(client.get(url).text)
        found += [a["href"] for a in page.select("li.quote-item blockquote a")]  # type: ignore[misc]
        label = page.select_one("nav.pager span")
        labels.append(label.get_text() if label else "")
        nxt: Any = page.select_one("nav.pager a[rel=next]")
        url = nxt["href"] if nxt else ""
    return found, labels


def test_the_pages_links_walk_the_whole_list(settings: Settings) -> None:
    app = create_app(settings, extractor=Fixed())  # type: ignore[arg-type]
    with TestClient(app) as client, Session(app.state.engine) as session:
        _store(session)
        lists = _lists(session)
        publics = {q.id: q.public_id for q in session.exec(select(Quote))}
        speaker = session.exec(select(Speaker.slug)).one()
        slugs = {e.id: e.slug for e in session.exec(select(Entity))}
        assert len(lists[0][2]) > 20  # more than one page of twenty
        for kind, key, expected in lists:
            url = (f"/speakers/{speaker}" if kind == "speaker" else f"/entities/{slugs[key]}")
            found, labels = _walk(client, url)
            assert found == [f"/q/{publics[i]}" for i in expected]
            pages = -(-len(expected) // 20)
            assert labels == ([f"Sida {n} av {pages}" for n in range(1, pages + 1)]
                              if pages > 1 else [""])
        # The second page by its old address is the page the first page's link leads to.
        first = soup(client.get(f"/speakers/{speaker}").text)
        link: Any = first.select_one("nav.pager a[rel=next]")
        assert "after=" in link["href"]
        by_cursor = soup(client.get(link["href"]).text)
        by_number = soup(client.get(f"/speakers/{speaker}?page=2").text)
        assert ([a["href"] for a in by_cursor.select("li.quote-item blockquote a")]
                == [a["href"] for a in by_number.select("li.quote-item blockquote a")])
        back: Any = by_cursor.select_one("nav.pager a[rel=prev]")
        assert back["href"] == f"/speakers/{speaker}"
        # A cursor that is not one gives the first page, not an error.
        junk = client.get(f"/speakers/{speaker}?after=nonsense")
        assert junk.status_code == 200
        assert ([a["href"] for a in soup(junk.text).select("li.quote-item blockquote a")]
                == [a["href"] for a in first.select("li.quote-item blockquote a")])
