"""Rows written in one statement (app/storage/bulk.py and the writes that use it): on
PostgreSQL each column goes as one array; the rows land in order, with their ids in order,
on whichever engine the suite runs."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from app.storage import aggregates, bulk
from app.storage.models import Entity, Speaker, SpeakerPair
from app.storage.search import is_sqlite_session
from app.storage.writes import _insert_rows


def _statements(session: Session) -> tuple[list[str], object]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", note)
    return seen, note


def test_inserted_rows_get_their_ids_in_row_order(session: Session) -> None:
    rows = [{"name": f"Plats {n:03d}", "label": ("LOC", "ORG")[n % 2],
             "slug": f"plats-{n:03d}", "name_key": f"plats {n:03d}"} for n in range(700)]
    seen, note = _statements(session)
    try:
        ids = _insert_rows(session, Entity, rows)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", note)
    assert len(ids) == 700 and ids == sorted(ids) and len(set(ids)) == 700
    stored = dict(session.execute(
        select(Entity.id, Entity.name).where(col(Entity.id).in_(ids))).all())
    assert [stored[i] for i in ids] == [r["name"] for r in rows]
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1
    if is_sqlite_session(session):  # a multi-row VALUES list
        assert inserts[0].count("?") == 4 * 700
    else:  # one array a column, the rows inserted in the order of their place in the arrays
        assert "unnest(" in inserts[0] and inserts[0].count("%(") == 4
        assert "WITH ORDINALITY" in inserts[0]
        assert inserts[0].rstrip().endswith("ORDER BY unnested.ordinality RETURNING entity.id")


def test_counts_are_added_in_one_statement_and_zero_rows_dropped(session: Session) -> None:
    people = [Speaker(name=f"Person {n}", slug=f"person-{n}", kind="PER") for n in range(4)]
    session.add_all(people)
    session.flush()
    a, b, c, d = (p.id for p in people)
    assert a is not None and b is not None and c is not None and d is not None
    pairs = aggregates.Counter({(a, b): 2, (b, a): 2, (a, c): 1, (c, d): 5})
    seen, note = _statements(session)
    try:
        aggregates.apply(session, aggregates.Tally(pairs=pairs))
        adding = list(seen)
        seen.clear()
        aggregates.apply(session, aggregates.Tally(pairs=aggregates.Counter(
            {(a, b): -2, (a, c): 3, (b, d): 1})))
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", note)
    # Adding only: one upsert, no delete (no stored count can reach zero).
    assert len(adding) == 1 and "speakerpair" in adding[0].lower()
    assert not any(s.lstrip().upper().startswith("DELETE") for s in adding)
    # A count went down: the upsert, then the rows at zero deleted.
    assert len(seen) == 2 and seen[1].lstrip().upper().startswith("DELETE")
    stored = {(r.speaker_id, r.other_id): r.articles for r in session.exec(select(SpeakerPair))}
    assert stored == {(b, a): 2, (a, c): 4, (c, d): 5, (b, d): 1}


def test_sqlite_splits_the_rows_into_statements_it_allows(session: Session,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if not is_sqlite_session(session):
        pytest.skip("SQLite's variable limit")
    monkeypatch.setattr(bulk, "SQLITE_VARIABLES", 40)  # 10 rows of 4 columns a statement
    rows = [{"name": f"Ort {n}", "label": "LOC", "slug": f"ort-{n}", "name_key": f"ort {n}"}
            for n in range(95)]
    seen, note = _statements(session)
    try:
        ids = _insert_rows(session, Entity, rows)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", note)
    assert len(seen) == 10 and len(set(ids)) == 95
    stored = dict(session.execute(
        select(Entity.id, Entity.name).where(col(Entity.id).in_(ids))).all())
    assert [stored[i] for i in ids] == [r["name"] for r in rows]
