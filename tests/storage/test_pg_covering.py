"""PostgreSQL: a search's facets and a speaker page's topics are read off covering indexes
(migration 0023), index-only, without the tables' pages once the tables are vacuumed; the
tables that grow by inserts are vacuumed after 1 % new rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from app.storage import browse, profiles
from app.storage.browse import QuoteFilters
from app.storage.models import Article, Entity, EntityQuote, Quote, Speaker, SpeakerEntity
from app.storage.search import index_quotes
from tests.factories import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's indexes (INCLUDE)")


def _archive(session: Session) -> None:
    """Forty invented quotes of two speakers in four articles, each naming an entity."""
    speakers = [Speaker(name=n, slug=s, kind="PER", name_key=n.casefold(),
                        surname=n.split()[-1].casefold())
                for n, s in (("Tilde Brännvik", "tilde-brannvik"),
                             ("Osvald Kärrholm", "osvald-karrholm"))]
    entity = Entity(name="Ravnsjö hamn", label="LOC", slug="ravnsjo-hamn",
                    name_key="ravnsjö hamn")
    articles = [Article(title=f"Hamnen {i}", source=f"Bladet {i % 2}", text="Hamnen.",
                        language="sv", published_at=datetime(2026, 3, 1 + i, tzinfo=UTC),
                        content_hash=f"h-cover-{i}", status="done") for i in range(4)]
    session.add_all([*speakers, entity, *articles])
    session.flush()
    quotes = [Quote(public_id=f"cov{i:013d}", article_id=articles[i % 4].id or 0, start=i,
                    end=i + 1, text=f"Hamnen i Ravnsjö behöver muddras, dag {i}",
                    type="direct", language="sv", speaker_id=speakers[i % 2].id,
                    article_date=articles[i % 4].published_at) for i in range(40)]
    session.add_all(quotes)
    session.flush()
    index_quotes(session, quotes, fresh=True)
    session.add_all([EntityQuote(quote_id=q.id or 0, entity_id=entity.id or 0,
                                 article_id=q.article_id, article_date=q.article_date,
                                 start=q.start) for q in quotes])
    session.add_all([SpeakerEntity(speaker_id=s.id or 0, entity_id=entity.id or 0, quotes=20)
                     for s in speakers])
    session.commit()


def _statements(engine: Engine, run: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def keep(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen


def _scans(engine: Engine, sql: str, params: Any) -> list[tuple[str, str, int]]:
    """(node type, index, heap fetches) of every index scan of the statement's plan, run with
    sequential scans off (as on a large archive, where they cost more than any lookup)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).scalar()
    out: list[tuple[str, str, int]] = []

    def visit(node: dict[str, Any]) -> None:
        if "Index Name" in node:
            out.append((node["Node Type"], node["Index Name"], int(node.get("Heap Fetches", 0))))
        for child in node.get("Plans", []):
            visit(child)

    visit((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    return out


def _vacuum(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def test_search_facets_read_quotes_and_articles_index_only(
        engine: Engine, session: Session) -> None:
    _archive(session)
    _vacuum(engine)
    seen = _statements(engine, lambda: browse.facets_of(session, QuoteFilters(q="muddras")))
    values = browse.facets_of(session, QuoteFilters(q="muddras")).values
    assert sorted((v.value, v.count) for v in values["speaker"]) == [
        ("osvald-karrholm", 20), ("tilde-brannvik", 20)]
    sql, params = next((s, p) for s, p in seen if "FROM quote q JOIN article a" in s)
    scans = _scans(engine, sql, params)
    used = {index: (node, fetches) for node, index, fetches in scans}
    for index in ("pgcover_quote", "pgcover_article"):
        assert used.get(index) == ("Index Only Scan", 0), scans
    entities = next((s, p) for s, p in seen if "JOIN entityquote l" in s)
    assert ("Index Only Scan", "pgcover_entity", 0) in _scans(engine, *entities)


def test_speaker_page_reads_its_topics_names_index_only(engine: Engine, session: Session
                                                         ) -> None:
    _archive(session)
    _vacuum(engine)
    seen = _statements(engine, lambda: profiles.speaker_profile(session, "tilde-brannvik", 0.9))
    stats = profiles.speaker_profile(session, "tilde-brannvik", 0.9).stats
    assert [(e.name, n) for e, n in stats.entities] == [("Ravnsjö hamn", 20)]
    sql, params = next((s, p) for s, p in seen if "WITH me AS" in s)
    assert ("Index Only Scan", "pgcover_entity", 0) in _scans(engine, sql, params)


def test_growing_tables_are_vacuumed_after_one_percent_new_rows(engine: Engine) -> None:
    with engine.connect() as conn:
        options = dict(conn.execute(text(
            "SELECT relname, array_to_string(reloptions, ',') FROM pg_class "
            "WHERE relname IN ('quote', 'quote_search', 'article', 'entityquote')")).all())
    assert options == dict.fromkeys(("quote", "quote_search", "article", "entityquote"),
                                    "autovacuum_vacuum_insert_scale_factor=0.01")


def test_a_bulk_ingest_leaves_the_tables_vacuumed_and_analysed(engine: Engine,
                                                                session: Session) -> None:
    """After ``citat ingest`` of many articles every page of the quotes is all-visible (so
    the covering indexes answer without the table) and the search's words have statistics."""
    from app.storage.db import vacuum_after_bulk

    _archive(session)
    session.close()

    def state() -> tuple[bool, bool]:
        with engine.connect() as conn:
            visible = conn.execute(text(
                "SELECT relpages > 0 AND relallvisible = relpages FROM pg_class "
                "WHERE relname = 'quote'")).scalar()
            words = conn.execute(text(
                "SELECT most_common_elems IS NOT NULL FROM pg_stats "
                "WHERE tablename = 'quote_search' AND attname = 'body'")).scalar()
        return bool(visible), bool(words)

    assert state() == (False, False)  # as inserted (40 rows: below any autovacuum threshold)
    assert vacuum_after_bulk(engine)
    assert state() == (True, True)
