"""Migrations: data survives every upgrade; downgrade and upgrade again; no drift."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.storage.db import make_engine
from app.storage.migrate import check, upgrade
from tests.factories import drop_database, new_database_url


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    url = new_database_url(tmp_path)
    yield url
    drop_database(url)


def test_data_survives_upgrades_from_the_first_revision(empty_url: str) -> None:
    upgrade(empty_url, "0001")
    engine = make_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO article (id, content_hash, text, language, created_at) "
            "VALUES (1, 'h', 'Text ”a”.', 'sv', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO speaker (id, name, slug, kind) VALUES (1, 'A B', 'a-b', 'PER')"))
        conn.execute(text(
            "INSERT INTO speakeralias (speaker_id, kind, text) VALUES (1, 'role', 'ÖB')"))
        conn.execute(text(
            "INSERT INTO entity (id, name, label, slug) VALUES (1, 'Ärlinghem', 'LOC', 'a')"))
        conn.execute(text(
            'INSERT INTO quote (id, public_id, article_id, start, "end", text, type, language, '
            "speaker_id, confidence, speaker_confidence) "
            "VALUES (1, 'abc', 1, 6, 7, 'a', 'direct', 'sv', 1, 0.9, 0.9)"))
    upgrade(empty_url)
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT q.public_id, q.hidden, q.reviewed, a.status, a.attempts FROM quote q "
            "JOIN article a ON a.id = q.article_id")).one()
        keys = tuple(conn.execute(text("SELECT name_key, surname FROM speaker WHERE id = 1")
                                  ).one())
        folded = tuple(conn.execute(text(
            "SELECT a.text_key, e.name_key FROM speakeralias a, entity e")).one())
        trigram = (conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'trgm_%' ORDER BY 1")
        ).scalars().all() if conn.dialect.name == "postgresql" else None)
    engine.dispose()
    assert tuple(row) == ("abc", False, False, "done", 0)
    assert keys == ("a b", "b")  # 0006 fills the keys of the speakers stored before it
    assert folded == ("öb", "ärlinghem")  # 0007 the keys of aliases and entities
    if trigram is not None:  # and on PostgreSQL their trigram indexes
        assert trigram == ["trgm_entity_name_key", "trgm_speaker_name_key",
                           "trgm_speaker_surname", "trgm_speakeralias_text_key"]
    check(empty_url)


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    from alembic import command

    from app.storage.migrate import alembic_config

    upgrade(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    upgrade(empty_url)
    check(empty_url)


def test_upgrade_goes_on_where_the_trigram_indexes_cannot_be_made(empty_url: str) -> None:
    """On PostgreSQL, pg_trgm installed in a schema off the search path leaves its operator
    class unknown: 0007 warns and upgrades without the trigram indexes (name matches scan)
    instead of failing the whole upgrade. SQLite never has them."""
    engine = make_engine(empty_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("CREATE SCHEMA elsewhere"))
            conn.execute(text("CREATE EXTENSION pg_trgm SCHEMA elsewhere"))
    upgrade(empty_url)
    with engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        trigram = (conn.execute(text(
            "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'trgm_%'")).scalar_one()
            if conn.dialect.name == "postgresql" else 0)
    engine.dispose()
    from alembic.script import ScriptDirectory

    from app.storage.migrate import alembic_config

    assert head == ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
    assert trigram == 0
    check(empty_url)
    # The misspelt-name lookup does not use pg_trgm there (it is off the search path) and
    # still finds the name, by first letter as on SQLite.
    from sqlmodel import Session

    from app.storage import queries
    from app.storage.models import Entity

    engine = make_engine(empty_url)
    with Session(engine) as session:
        session.add(Entity(name="Sjöstad", label="LOC", slug="sjostad"))
        session.commit()
        assert [e.name for e in queries.similar_entities(session, "Sjöstadd")] == ["Sjöstad"]
    engine.dispose()


def test_the_postgresql_search_index_keeps_no_pending_list(empty_url: str) -> None:
    """Every quote saved searches the index for its echoes: a GIN pending list would be read
    whole on each of those searches (0018). SQLite has no such index: nothing to check."""
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            options = conn.execute(text(
                "SELECT reloptions FROM pg_class WHERE relname = 'ix_quote_search_body'"
            )).scalar_one()
            assert options == ["fastupdate=off"]
        else:
            assert conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'ix_quote_search_body'"
            )).scalar_one() == 0
    engine.dispose()
