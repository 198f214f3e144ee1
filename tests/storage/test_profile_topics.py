"""A speaker page's topics: most quotes first, and among equal counts the entity the archive
stored first (the lowest id), on both engines; on PostgreSQL only the topics shown are looked
up in the entity table, however many the speaker shares a count with."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.storage import profiles
from app.storage.models import Entity, Speaker, SpeakerEntity
from tests.factories import ON_POSTGRES

# Invented places, stored in this order: their names run against it (Ö… first, A… last), so a
# tie broken by name and one broken by id give different pages.
PLACES = ["Östra Lerby", "Vittjärv", "Uddmark", "Tranvik", "Sörby hed", "Rävsnäs", "Pilvik",
          "Olstorp", "Nybodarna", "Mörtsjö", "Lillkärr", "Klintbacka", "Järnås", "Hultaby",
          "Gäddvik", "Frösjö", "Ekeskär", "Dalby äng", "Bergsvik", "Alnö strand"]


def _speaker_with_topics(session: Session) -> None:
    """Tove Lindgarn names Rävsnäs in three quotes and nineteen other places in one each."""
    tove = Speaker(name="Tove Lindgarn", slug="tove-lindgarn", kind="PER",
                   name_key="tove lindgarn", surname="lindgarn")
    places = [Entity(name=n, label="LOC", slug=f"plats-{i}", name_key=n.casefold())
              for i, n in enumerate(PLACES)]
    session.add_all([tove, *places])
    session.flush()
    session.add_all([SpeakerEntity(speaker_id=tove.id or 0, entity_id=e.id or 0,
                                   quotes=3 if e.name == "Rävsnäs" else 1) for e in places])
    session.commit()


def test_topics_tied_on_their_count_come_in_the_order_they_were_stored(
        session: Session) -> None:
    _speaker_with_topics(session)
    stats = profiles.speaker_profile(session, "tove-lindgarn", 0.9).stats
    assert [(e.name, n) for e, n in stats.entities] == [
        ("Rävsnäs", 3), ("Östra Lerby", 1), ("Vittjärv", 1), ("Uddmark", 1), ("Tranvik", 1),
        ("Sörby hed", 1), ("Pilvik", 1), ("Olstorp", 1), ("Nybodarna", 1), ("Mörtsjö", 1)]


def _entity_lookups(plan: dict[str, Any]) -> int:
    """Rows the plan read off the entity table's indexes (rows × loops)."""
    found = 0
    if "entity" in str(plan.get("Index Name", "")) and plan.get("Relation Name") == "entity":
        found += int(plan["Actual Rows"]) * int(plan["Actual Loops"])
    return found + sum(_entity_lookups(p) for p in plan.get("Plans", []))


def _profile_sent(engine: Engine, session: Session, limit: int
                  ) -> tuple[str, Any, profiles.SpeakerStats]:
    """The profile statement sent for Tove Lindgarn's page, its bound values, and her numbers."""
    seen: list[tuple[str, Any]] = []

    def keep(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        stats = profiles.speaker_profile(session, "tove-lindgarn", 0.9, limit=limit).stats
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    sql, params = next((s, p) for s, p in seen if "WITH me AS" in s)
    return sql, params, stats


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's plan")
def test_the_topics_read_only_as_many_entities_as_are_shown(engine: Engine,
                                                            session: Session) -> None:
    _speaker_with_topics(session)
    sql, params, _ = _profile_sent(engine, session, 10)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # as on a large archive
        conn.exec_driver_sql("SET enable_hashjoin = off")
        conn.exec_driver_sql("SET enable_mergejoin = off")
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).scalar()
    root = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]
    # Ten shown and four more read (one may be the speaker's own name): fourteen, not twenty.
    assert _entity_lookups(root) == 14


def test_the_profile_binds_only_the_speaker_and_the_threshold(engine: Engine,
                                                              session: Session) -> None:
    """Its limits are numbers in the statement: PostgreSQL keeps one generic plan of it for
    every speaker (with placeholders for them, at a million quotes, it planned every request
    anew); another limit is another statement, with the same order."""
    _speaker_with_topics(session)
    _, params, three = _profile_sent(engine, session, 3)
    assert len(params) == 2  # slug and threshold (PostgreSQL: a dict, SQLite: a tuple)
    assert [(e.name, n) for e, n in three.entities] == [
        ("Rävsnäs", 3), ("Östra Lerby", 1), ("Vittjärv", 1)]
