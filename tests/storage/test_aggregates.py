"""The aggregates the write path keeps (app/storage/aggregates.py) equal a recount from scratch
after every kind of write: ingest one by one and in a window, re-extraction, corrections,
speaker merges and splits; on whichever engine the suite runs (SQLite or PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, inspect
from sqlmodel import Session, select

from app.extraction.records import Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import _store_extracted_many, ingest
from app.services.accounts import create_user
from app.storage import aggregates, browse, corrections, profiles, queries, search
from app.storage.db import make_engine
from app.storage.migrate import alembic_config, check, upgrade
from app.storage.models import Article, Quote, QuoteEchoKey, Speaker, User
from tests.factories import (
    DATES,
    EXTRACTIONS,
    SAME,
    TEXT_A,
    TEXT_B,
    TEXT_C,
    TEXT_D,
    ByText,
    direct_quote,
    drop_database,
    new_database_url,
    people,
    places,
)


def _item(text: str) -> ArticleIn:
    return ArticleIn(text=text, title=text[:10], source="Testkällan", published_at=DATES[text])


def _assert_recounted(session: Session) -> aggregates.Tally:
    session.flush()
    stored = aggregates.stored(session)
    assert stored.plain() == aggregates.recount(session).plain()
    visible = {i for i, in session.execute(select(Quote.id).where(Quote.hidden.is_(False)))}  # type: ignore[attr-defined]
    links = {(a, b) for a, b in aggregates.stored_echoes(session) if a in visible and b in visible}
    assert links == aggregates.recount_echoes(session)
    # Every quote keeps the echo keys of its text, none of a deleted quote is left.
    assert _keys_of(session) == {q.id: keys for q in session.exec(select(Quote))
                                 if (keys := aggregates.echo_keys(q.text, q.language))}
    # The quotes that mention each entity, in list order (an entity page's keyset list).
    assert aggregates.stored_entity_quotes(session) == aggregates.recount_entity_quotes(session)
    return stored


def _sid(session: Session, name: str) -> int:
    sid = session.exec(select(Speaker.id).where(Speaker.name == name)).one()
    assert sid is not None
    return sid


@pytest.fixture
def editor(session: Session) -> User:
    return create_user(session, "redaktor", "ett långt lösenord här")


def _ingest_all(session: Session) -> ByText:
    ex = ByText(EXTRACTIONS)
    for text in (TEXT_A, TEXT_B, TEXT_C, TEXT_D):
        ingest(session, ex, _item(text))
    return ex


def test_ingest_keeps_exact_aggregates(session: Session) -> None:
    _ingest_all(session)
    stored = _assert_recounted(session)
    berg, ek, lund, polisen = (_sid(session, n) for n in ("Anna Berg", "Karl Ek", "Eva Lund",
                                                          "Polisen"))
    assert stored.quotes == {berg: 4, ek: 2, lund: 1, polisen: 1}
    assert stored.articles == {berg: 3, ek: 2, lund: 1, polisen: 1}
    assert stored.months == {(berg, "2026-01"): 3, (berg, "2026-03"): 1, (ek, "2026-01"): 1,
                             (ek, "2026-03"): 1, (lund, "2026-03"): 1, (polisen, "2026-01"): 1}
    assert stored.pairs == {(berg, ek): 2, (ek, berg): 2, (berg, polisen): 1, (polisen, berg): 1}
    stats = profiles.speaker_stats(session, session.get(Speaker, berg))  # type: ignore[arg-type]
    assert (stats.quotes, stats.articles) == (4, 3)
    assert stats.timeline == [("2026-01", 3), ("2026-03", 1)]
    assert [(e.name, n) for e, n in stats.entities] == [("Göteborg", 3), ("Malmö", 1)]
    assert [(s.name, n) for s, n in stats.co_speakers] == [("Karl Ek", 2), ("Polisen", 1)]
    # The same quote in three articles: each permalink lists the two others.
    same = session.exec(select(Quote).where(Quote.text == SAME).order_by(Quote.id)).all()
    assert len(same) == 3
    for q in same:
        row = queries.get_quote(session, q.public_id)
        assert {r.quote.id for r in profiles.also_reported(session, row)} == {
            o.id for o in same if o.id != q.id}
    assert [(s.name, n) for s, n in queries.top_speakers(session, 3)] == [
        ("Anna Berg", 4), ("Karl Ek", 2), ("Eva Lund", 1)]
    assert queries.count_speakers(session) == 4


def test_a_window_of_new_articles_keeps_them_too(session: Session) -> None:
    entries = [(_item(t), EXTRACTIONS[t]) for t in (TEXT_A, TEXT_B, TEXT_C, TEXT_D)]
    results = _store_extracted_many(session, entries)
    assert results is not None and [r.quotes for r in results] == [2, 3, 2, 1]
    stored = _assert_recounted(session)
    assert stored.quotes[_sid(session, "Anna Berg")] == 4
    assert len(aggregates.stored_echoes(session)) == 6  # three quotes, each linked to two


def test_re_extraction_keeps_them(session: Session) -> None:
    ex = _ingest_all(session)
    before = aggregates.stored(session)
    berg, ek = _sid(session, "Anna Berg"), _sid(session, "Karl Ek")
    # Text B again: the duplicate quote is gone, the third one is now Karl Ek's.
    old = EXTRACTIONS[TEXT_B]
    ex.extractions[TEXT_B] = Extraction("sv", (old.quotes[1], direct_quote(
        TEXT_B, "Göteborg behöver bostäder och Malmö också", "Karl Ek")), old.entities,
        people("Anna Berg", "Karl Ek"))
    ingest(session, ex, _item(TEXT_B), refresh=True)
    stored = _assert_recounted(session)
    assert stored.quotes[berg] == before.quotes[berg] - 2
    assert stored.quotes[ek] == before.quotes[ek] + 1
    assert (berg, ek) in stored.pairs and stored.pairs[(berg, ek)] == 1  # only text C now
    assert len(aggregates.stored_echoes(session)) == 2  # A and D only


def test_corrections_keep_them(session: Session, editor: User) -> None:
    ex = _ingest_all(session)
    berg, ek = _sid(session, "Anna Berg"), _sid(session, "Karl Ek")
    quote = session.exec(select(Quote).where(Quote.text == "Nej, inte i år")).one()
    corrections.set_quote_speaker(session, editor, quote.public_id, "Karl Ek")
    stored = _assert_recounted(session)
    assert stored.quotes[berg] == 3 and stored.quotes[ek] == 3
    assert stored.pairs[(berg, ek)] == 1  # text C no longer quotes Anna Berg
    corrections.set_quote_speaker(session, editor, quote.public_id, "Ny Person")
    _assert_recounted(session)
    corrections.set_quote_speaker(session, editor, quote.public_id, "")
    _assert_recounted(session)
    hidden = session.exec(select(Quote).where(Quote.text == "ingen skadades i Göteborg")).one()
    corrections.set_not_a_quote(session, editor, hidden.public_id, True)
    stored = _assert_recounted(session)
    assert _sid(session, "Polisen") not in stored.quotes
    corrections.set_not_a_quote(session, editor, hidden.public_id, False)
    assert _assert_recounted(session).quotes[_sid(session, "Polisen")] == 1
    corrections.set_not_a_quote(session, editor, hidden.public_id, True)
    # Re-extracting text A re-applies the corrections: still equal to a recount.
    ingest(session, ex, _item(TEXT_A), refresh=True)
    stored = _assert_recounted(session)
    assert _sid(session, "Polisen") not in stored.quotes
    ingest(session, ex, _item(TEXT_C), refresh=True)
    assert _assert_recounted(session).quotes.get(ek) == 2  # unknown speaker kept


def test_merges_and_splits_keep_them(session: Session, editor: User) -> None:
    ex = _ingest_all(session)
    corrections.merge_speakers(session, editor, "eva-lund", "anna-berg")
    stored = _assert_recounted(session)
    berg = _sid(session, "Anna Berg")
    assert stored.quotes[berg] == 5 and stored.articles[berg] == 4
    assert not any(k[0] not in stored.quotes for k in stored.pairs)
    # Split "Berg" off: the quote mentioned as "Berg" in text B moves to a new speaker.
    corrections.split_alias(session, editor, "anna-berg", "Berg")
    stored = _assert_recounted(session)
    split = _sid(session, "Berg")
    assert stored.quotes[split] == 1 and stored.quotes[berg] == 4
    assert stored.pairs[(split, berg)] == 1
    # Re-extracting text B applies the split again; the merge's alias lands "Eva Lund" on
    # Anna Berg when text D is extracted again.
    ingest(session, ex, _item(TEXT_B), refresh=True)
    ingest(session, ex, _item(TEXT_D), refresh=True)
    stored = _assert_recounted(session)
    assert stored.quotes[split] == 1 and stored.quotes[berg] == 4


def test_rebuild_restores_them(session: Session) -> None:
    _ingest_all(session)
    expected = aggregates.stored(session).plain()
    echoes = aggregates.stored_echoes(session)
    aggregates.apply(session, aggregates.Tally(quotes=aggregates.Counter({1: 7})))
    assert aggregates.stored(session).plain() != expected
    aggregates.rebuild(session)
    aggregates.rebuild_echoes(session)
    assert aggregates.stored(session).plain() == expected
    assert aggregates.stored_echoes(session) == echoes


def test_quotes_carry_their_articles_date_for_newest_first_lists(session: Session,
                                                                 editor: User) -> None:
    ex = _ingest_all(session)
    for q in session.exec(select(Quote)):
        article = session.get(Article, q.article_id)
        assert article is not None and q.article_date == article.published_at
    ingest(session, ex, _item(TEXT_B), refresh=True)
    berg = browse.search(session, browse.QuoteFilters(speaker="anna-berg", sort="newest"), 2, 0)
    assert berg.total == 4  # the kept count, not a count(*)
    assert [r.quote.text for r in berg.items] == ["Nej, inte i år", SAME]
    page2 = browse.search(session, browse.QuoteFilters(speaker="anna-berg", sort="newest"), 2, 2)
    assert page2.total == 4
    assert [r.quote.text for r in page2.items] == ["Göteborg behöver bostäder och Malmö också",
                                                   SAME]
    assert [r.article.published_at.date() for r in berg.items + page2.items  # type: ignore[union-attr]
            ] == [DATES[t].date() for t in (TEXT_C, TEXT_B, TEXT_B, TEXT_A)]


def test_the_migration_backfills_every_aggregate(tmp_path: Path) -> None:
    url = new_database_url(tmp_path)
    try:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            _ingest_all(session)
            session.commit()
            expected = aggregates.stored(session).plain()
            echoes = aggregates.stored_echoes(session)
            keys = _keys_of(session)
            dates = {q.id: q.article_date for q in session.exec(select(Quote))}
        engine.dispose()
        command.downgrade(alembic_config(url), "0020")  # the echo keys' table dropped
        engine = make_engine(url)
        with engine.connect() as conn:
            assert "quoteechokey" not in inspect(conn).get_table_names()
        engine.dispose()
        command.downgrade(alembic_config(url), "0008")
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            assert aggregates.stored(session).plain() == expected
            assert expected["quotes"] and expected["pairs"] and expected["entities"]
            assert aggregates.stored_echoes(session) == echoes and len(echoes) == 6
            assert _keys_of(session) == keys and len(keys) == 8
            assert {q.id: q.article_date for q in session.exec(select(Quote))} == dates
        engine.dispose()
        check(url)
    finally:
        drop_database(url)


BRIDGE = "Vi ska bygga en ny bro över älven innan valet nästa år"
BRIDGES = [  # (article text, its quote): the same words, nearly, then the same start only
    f"Kommunrådet sade: ”{BRIDGE}”. Hon lovade också: ”{BRIDGE}”.",
    "Kommunrådet sade: ”Vi ska bygga en ny bro över älven innan valet nästa höst”.",
    "Oppositionen sade: ”Vi ska bygga en ny bro över älven men bara om staten betalar "
    "hela kostnaden för den”.",
]


def _bridge_entries() -> list[tuple[ArticleIn, Extraction]]:
    out = []
    for n, text in enumerate(BRIDGES):
        quote = text.split("”")[1]
        recs = [direct_quote(text, quote, "Eva Lund")]
        if n == 0:  # the same words again in the same article
            start = text.rindex(quote)
            recs.append(replace(recs[0], start=start, end=start + len(quote)))
        out.append((ArticleIn(text=text, title=f"Bro {n}", source="Testkällan"),
                    Extraction("sv", tuple(recs), places(text, "älven"), people("Eva Lund"))))
    return out


def _lookups(session: Session) -> tuple[list[str], Any]:
    """The statements run on the session's engine that look up echo keys or search the text
    index (and the listener to remove)."""
    found: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if ("FROM quoteechokey k JOIN quote" in statement
                or f"FROM {search.FTS_TABLE} WHERE" in statement or "body @@" in statement):
            found.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", seen)
    return found, seen


@pytest.mark.parametrize("per", [aggregates.ECHO_LOOKUP, 1])
def test_a_window_looks_up_its_echoes_in_one_statement(session: Session, per: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving a window of new articles looks up every quote's echo keys at once (one indexed
    lookup per ``ECHO_LOOKUP`` keys, no text search); near copies in other articles are
    linked, the same words in the same article and a quote sharing only its first words are
    not."""
    monkeypatch.setattr(aggregates, "ECHO_LOOKUP", per)
    found, seen = _lookups(session)
    try:
        results = _store_extracted_many(session, _bridge_entries())
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", seen)
    assert results is not None and [r.quotes for r in results] == [2, 1, 1]
    keys = set().union(*(aggregates.echo_keys(q.text, "sv") for q in session.exec(select(Quote))))
    assert all("quoteechokey" in s for s in found)
    assert len(found) == (1 if per > 1 else len(keys))
    ids = {q.text: q.id for q in session.exec(select(Quote).order_by(Quote.id))}
    first = session.exec(select(Quote.id).where(Quote.text == BRIDGE).order_by(Quote.id)).all()
    near = ids["Vi ska bygga en ny bro över älven innan valet nästa höst"]
    assert aggregates.stored_echoes(session) == {
        (q, near) for q in first} | {(near, q) for q in first}
    _assert_recounted(session)


def _keys_of(session: Session) -> dict[int, set[int]]:
    table: Any = QuoteEchoKey.__table__
    out: dict[int, set[int]] = {}
    for key, qid in session.execute(select(table.c.hash, table.c.quote_id)):
        out.setdefault(qid, set()).add(key)
    return out


SHARED = "alla barn ska ha rätt till en trygg skolgång varje dag"
ECHO_TEXTS = [  # (article text, its quote), the echoes of the first as users see them
    f"Ministern sade: ”{SHARED} i hela landet”.",
    # The same quote in another outlet, with other typography and case.
    f"I en intervju sade ministern: \"{SHARED.capitalize()} i hela landet!\"",
    # Trimmed at the start, then at both ends.
    f"Ministern sade att ”{SHARED.split(' ', 2)[2]} i hela landet”.",
    f"Hon sade: ”{' '.join(SHARED.split()[1:])} i hela”.",
    # With an ellipsis for two words left out, and with a first word of its own.
    f"Ministern sade: ”{SHARED.replace('en trygg ', '… ')} i hela landet”.",
    f"Ministern sade: ”Nej, {SHARED} i hela landet”.",
]


def _echo_entries(order: list[int]) -> list[tuple[ArticleIn, Extraction]]:
    out = []
    for n in order:
        article = ECHO_TEXTS[n]
        quote = article.split("”")[1] if "”" in article else article.split('"')[1]
        out.append((ArticleIn(text=article, title=f"Skola {n}", source=f"Källa {n}"),
                    Extraction("sv", (direct_quote(article, quote, "Eva Lund"),), (),
                               people("Eva Lund"))))
    return out


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0]])
def test_every_kind_of_echo_is_linked_whichever_is_saved_first(session: Session,
                                                                order: list[int]) -> None:
    """The same quote in two outlets, trimmed at either end, with an ellipsis or a word of
    its own in front: all linked to one another, one article at a time, in either order (the
    first-eight-words phrase search missed a quote whose start another one lacks when that
    one was saved first)."""
    for entry in _echo_entries(order):
        assert _store_extracted_many(session, [entry]) is not None
    quotes = {q.article_id: q.id for q in session.exec(select(Quote))}
    assert len(quotes) == 6
    echoes = aggregates.stored_echoes(session)
    assert echoes == {(a, b) for a in quotes.values() for b in quotes.values() if a != b}
    _assert_recounted(session)
    # A quote deleted loses its links and its keys.
    gone = quotes[min(quotes)]
    row = session.get(Quote, gone)
    assert row is not None
    aggregates.unlink_echoes(session, [(gone, row.article_id, row.text, row.language)])
    left = _keys_of(session)
    assert gone not in left and len(left) == 5
    assert not any(gone in pair for pair in aggregates.stored_echoes(session))


def test_echo_keys_are_shared_by_any_eight_words_in_a_row() -> None:
    """Two quotes sharing eight (stemmed) words in a row anywhere share a key; short quotes
    find a quote containing all of them; a quote of fewer than three words has none."""
    words = ["när", "vi", "talar", "om", "framtiden", "måste", "vi", "också", "tala", "om",
             "hur", "människor", "ska", "kunna", "bo", "och", "arbeta", "på", "landsbygden"]
    for start in range(len(words) - 8):
        run = words[start:start + 8]
        a = " ".join(["först", "kommer", "något", "annat", *run, "och", "sedan", "slut"])
        b = " ".join([*run, "men", "helt", "andra", "ord", "efteråt", "här", "nu", "igen"])
        assert aggregates.echo_keys(a, "sv") & aggregates.echo_keys(b, "sv"), run
    # Long quotes without five words in a row in common share none.
    a = " ".join(words[:4] + [f"x{i}" for i in range(12)])
    b = " ".join([f"y{i}" for i in range(12)] + words[:4])
    assert not aggregates.echo_keys(a, "sv") & aggregates.echo_keys(b, "sv")
    assert aggregates.echo_keys("inte i år", "sv") & aggregates.echo_keys("nej inte i år", "sv")
    assert aggregates.echo_keys("Nej nej", "sv") == set()
    # Inflected forms share their stems' keys.
    assert aggregates.echo_keys("vi bygger skolor i hela landet", "sv") == (
        aggregates.echo_keys("vi byggde skolorna i hela landet", "sv"))
