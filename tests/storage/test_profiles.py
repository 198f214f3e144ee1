"""A permalink read in one statement carries the same version as ``quote_version``, and every
correction that changes what the page shows changes it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.services.accounts import create_user
from app.storage import corrections, profiles
from app.storage.models import Quote
from tests.factories import DATES, EXTRACTIONS, TEXT_A, TEXT_B, TEXT_C, TEXT_D, ByText


def _versions(session: Session) -> dict[str, str]:
    """Each quote's version as the permalink reads it, checked against ``quote_version``."""
    session.flush()
    out: dict[str, str] = {}
    for pid in session.exec(select(Quote.public_id)).all():
        page = profiles.permalink(session, pid)
        assert page.version == profiles.quote_version(session, pid), pid
        out[pid] = page.version
    return out


def test_the_permalink_carries_its_version_and_corrections_change_it(session: Session) -> None:
    for text in (TEXT_A, TEXT_B, TEXT_C, TEXT_D):
        ingest(session, ByText(EXTRACTIONS), ArticleIn(text=text, title=text[:10],
                                                       published_at=DATES[text]))
    editor = create_user(session, "redaktor", "ett långt lösenord här")
    before = _versions(session)
    assert len(set(before.values())) == len(before)  # one per quote
    quote = session.exec(select(Quote).where(Quote.text == "Nej, inte i år")).one()
    pid = quote.public_id
    steps: list[Any] = [
        lambda: corrections.mark_reviewed(session, editor, pid),
        lambda: corrections.set_quote_speaker(session, editor, pid, "Karl Ek"),
        lambda: corrections.set_quote_kind(session, editor, pid, "indirect"),
        lambda: corrections.set_not_a_quote(session, editor, pid, True),
        lambda: corrections.set_not_a_quote(session, editor, pid, False),
        lambda: corrections.rename_speaker(session, editor, "karl-ek", "Karl Ekström"),
    ]
    for i, step in enumerate(steps):
        step()
        after = _versions(session)
        assert after[pid] != before[pid], i
        before = after


def test_a_permalink_is_one_statement(session: Session) -> None:
    ingest(session, ByText(EXTRACTIONS), ArticleIn(text=TEXT_A, title="A",
                                                   published_at=DATES[TEXT_A]))
    session.flush()
    pid = session.exec(select(Quote.public_id)).first()
    assert pid is not None
    seen: list[str] = []
    engine = session.get_bind()
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = profiles.permalink(session, pid)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and page.row.quote.public_id == pid and page.version
    with pytest.raises(LookupError):
        profiles.permalink(session, "no-such-quote")


def test_the_page_read_on_a_connection_is_the_read_on_a_session(session: Session) -> None:
    """``read_permalink`` (the page's read: a connection, no ORM execution) gives what
    ``permalink`` gives on a session, quote by quote, "also reported" links and a corrected
    speaker included, in one statement (two with links)."""
    for text in (TEXT_A, TEXT_B, TEXT_C, TEXT_D):
        ingest(session, ByText(EXTRACTIONS), ArticleIn(text=text, title=text[:10],
                                                       published_at=DATES[text]))
    editor = create_user(session, "redaktor", "ett långt lösenord här")
    corrected = session.exec(select(Quote.public_id).where(Quote.text == "Nej, inte i år")).one()
    corrections.set_quote_speaker(session, editor, corrected, "Karl Ek")
    session.commit()
    engine = session.get_bind()
    seen: list[str] = []
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    linked = 0
    for pid in session.exec(select(Quote.public_id)).all():
        expected = profiles.permalink(session, pid)
        seen.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            page = profiles.read_permalink(engine, pid)
            version = profiles.read_version(engine, pid)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert len(seen) == (3 if expected.also else 2), pid
        linked += bool(expected.also)
        assert vars(page.row.quote) == vars(expected.row.quote)
        assert vars(page.row.article) == vars(expected.row.article)
        assert (vars(page.row.speaker) if page.row.speaker else None) == (
            vars(expected.row.speaker) if expected.row.speaker else None)
        assert page.speaker_corrected is expected.speaker_corrected is (pid == corrected)
        assert [(r.quote.public_id, r.article.title) for r in page.also] == [
            (r.quote.public_id, r.article.title) for r in expected.also]
        assert page.version == version == expected.version
    assert linked == 3  # the one quote reported in three articles
    with pytest.raises(LookupError):
        profiles.read_permalink(engine, "no-such-quote")
    assert profiles.read_version(engine, "no-such-quote") is None
