"""``db.DriverRead``: a one-row SELECT run on the driver's cursor gives what
``Connection.execute`` gives (the same values, the same Python types), tells the engine's
cursor listeners, raises SQLAlchemy's errors, and refuses parameters that need converting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, bindparam, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from app.storage.db import DriverRead, make_engine, reading
from app.storage.models import Article, Quote


def _archive(session: Session) -> None:
    article = Article(title="Hamnen <b>öppnar</b>", source="Lokalbladet", text="Ett två tre.",
                      language="sv", published_at=datetime(2025, 3, 4, 5, 6, 7, 890000),
                      content_hash="h-driver-read", status="done")
    session.add(article)
    session.flush()
    assert article.id is not None
    session.add(Quote(public_id="drv0000000000001", article_id=article.id, start=0, end=3,
                      text="Ett", type="direct", language="sv", confidence=0.75,
                      hidden=True, reviewed=False, article_date=article.published_at))
    session.commit()


_OTHER = Quote.__table__.alias("other")  # type: ignore[attr-defined]
_STATEMENT = (
    select(Quote.id, Quote.text, Quote.hidden, Quote.reviewed, Quote.confidence,
           Article.published_at, Article.title, Article.licence,
           select(func.count()).select_from(_OTHER).where(_OTHER.c.article_id == Article.id)
           .scalar_subquery())
    .join(Article, col(Article.id) == Quote.article_id)
    .where(col(Quote.public_id) == bindparam("public_id"))
)


def test_the_row_is_the_one_sqlalchemy_gives(engine: Engine, session: Session) -> None:
    _archive(session)
    read = DriverRead(_STATEMENT)
    with engine.connect() as connection:
        expected = tuple(connection.execute(_STATEMENT, {"public_id": "drv0000000000001"})
                         .one())
        for _ in range(3):  # compiled once, then reused (and prepared by psycopg in time)
            got = read.first(connection, public_id="drv0000000000001")
            assert got == expected
            assert [type(v) for v in got] == [type(v) for v in expected]
        assert read.first(connection, public_id="no-such-quote") is None
    assert got[2] is True and got[3] is False  # booleans, not SQLite's 1 and 0
    # a datetime, not a string (in UTC on PostgreSQL)
    assert got[5].replace(tzinfo=None) == datetime(2025, 3, 4, 5, 6, 7, 890000)
    assert got[6] == "Hamnen <b>öppnar</b>" and got[7] is None and got[8] == 1


def test_the_engines_cursor_listeners_see_each_statement(engine: Engine,
                                                         session: Session) -> None:
    _archive(session)
    read = DriverRead(_STATEMENT)
    seen: list[tuple[str, Any]] = []
    after: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    def done(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        after.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", done)
    try:
        with engine.connect() as connection:
            read.first(connection, public_id="drv0000000000001")
            read.first(connection, public_id="x")
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", done)
    assert len(seen) == 2 and after == [seen[0][0], seen[1][0]]
    assert "FROM quote JOIN article" in seen[0][0]
    assert "x" in (seen[1][1].values() if isinstance(seen[1][1], dict) else seen[1][1])


def test_a_driver_error_is_raised_as_sqlalchemys(engine: Engine) -> None:
    broken = DriverRead(select(Quote.id).where(col(Quote.public_id) == bindparam("public_id"))
                        .where(func.no_such_function(Quote.id) == 1))
    with engine.connect() as connection, pytest.raises(DBAPIError):
        broken.first(connection, public_id="x")


def test_a_parameter_that_needs_converting_is_refused(engine: Engine) -> None:
    dated = DriverRead(select(Article.id).where(col(Article.published_at) > bindparam(
        "since", type_=Article.__table__.c.published_at.type)))  # type: ignore[attr-defined]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # SQLite stores timestamps as text: converted
            with pytest.raises(TypeError, match="since"):
                dated.first(connection, since=datetime(2025, 1, 1))
        else:  # psycopg takes a datetime as it is
            assert dated.first(connection, since=datetime(2999, 1, 1)) is None


def _in_transaction(dbapi_conn: Any) -> bool:
    if hasattr(dbapi_conn, "in_transaction"):  # sqlite3
        return bool(dbapi_conn.in_transaction)
    import psycopg
    return bool(dbapi_conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)


def test_first_on_an_engine_gives_firsts_row_and_returns_the_connection(
        engine: Engine, session: Session) -> None:
    _archive(session)
    read = DriverRead(_STATEMENT)
    with engine.connect() as connection:
        expected = read.first(connection, public_id="drv0000000000001")
    for reader in (engine, reading(engine)):
        got = read.first_on(reader, public_id="drv0000000000001")
        assert got == expected and [type(v) for v in got] == [type(v) for v in expected]
        assert read.first_on(reader, public_id="no-such-quote") is None
        assert engine.pool.checkedout() == 0  # given back each time
    assert got[2] is True and got[5].replace(tzinfo=None) == datetime(2025, 3, 4, 5, 6, 7,
                                                                        890000)


def test_first_on_a_reading_engine_gives_the_connection_back_as_it_found_it(
        db_url: str) -> None:
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    try:
        with Session(engine) as session:
            _archive(session)
        read = DriverRead(_STATEMENT)
        assert read.first_on(reading(engine), public_id="drv0000000000001") is not None
        with pytest.raises(DBAPIError):  # a failed read gives it back reset too
            DriverRead(select(Quote.id).where(col(Quote.public_id) == bindparam("public_id"))
                       .where(func.no_such_function(Quote.id) == 1)
                       ).first_on(reading(engine), public_id="x")
        assert engine.pool.checkedout() == 0
        with Session(engine) as session:  # the one pooled connection, for a write
            session.execute(text("CREATE TEMPORARY TABLE t_after (x INTEGER)"))
            session.execute(text("INSERT INTO t_after VALUES (1)"))
            # in a transaction again: not left in the reading engine's autocommit
            assert _in_transaction(session.connection().connection.dbapi_connection)
            session.rollback()
    finally:
        engine.dispose()


def test_first_on_hands_cursor_listeners_a_connection(engine: Engine,
                                                      session: Session) -> None:
    _archive(session)
    read = DriverRead(_STATEMENT)
    given: list[Any] = []

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        given.append(conn)

    event.listen(engine, "before_cursor_execute", before)
    try:
        got = read.first_on(reading(engine), public_id="drv0000000000001")
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert got is not None and got[1] == "Ett"
    assert len(given) == 1 and isinstance(given[0], Connection)
    assert engine.pool.checkedout() == 0


def _only_on_postgresql(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's libpq read (CITAT_DATABASE_URL=postgresql+psycopg://…)")


@pytest.fixture
def one_connection(db_url: str) -> Iterator[Engine]:
    """An engine whose pool holds one connection (every read on it), on the archive."""
    _only_on_postgresql(db_url)
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    with Session(engine) as session:
        _archive(session)
    yield engine
    engine.dispose()


@contextmanager
def _the_connection(engine: Engine) -> Iterator[Any]:
    pooled = engine.raw_connection()
    try:
        yield pooled.dbapi_connection
    finally:
        pooled.close()


def _prepared(engine: Engine) -> dict[str, str]:
    with _the_connection(engine) as dbapi_conn:
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT name, statement FROM pg_prepared_statements")
            found = {name: statement for name, statement in cur.fetchall()}
        dbapi_conn.rollback()
    return found


def test_first_on_postgresql_prepares_the_statement_once_under_its_own_name(
        one_connection: Engine) -> None:
    read = DriverRead(_STATEMENT)
    for _ in range(2):  # the first read prepares it, the second runs it prepared
        got = read.first_on(reading(one_connection), public_id="drv0000000000001")
        assert got is not None and got[1] == "Ett" and got[8] == 1
    statements = _prepared(one_connection)  # the one connection: the read's
    name = read._name.decode()
    assert name.startswith("citat_read_")
    # with libpq's placeholders, not psycopg's
    assert "quote.public_id = $1" in statements[name]
    assert not any(n.startswith("_pg3_") for n in statements)  # not psycopg's cursor


def test_first_on_postgresql_takes_text_integer_and_null_parameters(
        engine: Engine, session: Session, db_url: str) -> None:
    _only_on_postgresql(db_url)
    _archive(session)
    text_type = Quote.__table__.c.text.type  # type: ignore[attr-defined]
    read = DriverRead(select(Quote.text).where(
        col(Quote.public_id) == bindparam("public_id"), col(Quote.end) >= bindparam("end"),
        func.coalesce(bindparam("missing", type_=text_type), "x") == "x"))
    args = {"public_id": "drv0000000000001", "missing": None}
    assert read.first_on(engine, **args, end=3) == ("Ett",)
    assert read.first_on(engine, **args, end=4) is None
    assert read.first_on(engine, public_id="drv0000000000001", missing="y", end=3) is None
    assert read.first_on(engine, public_id="drv0000000000001", missing="å", end=3) is None
    with pytest.raises(TypeError, match="no text form"):
        read.first_on(engine, **args, end=[3])
    assert engine.pool.checkedout() == 0


def test_first_on_postgresql_prepares_again_what_the_server_forgot(
        one_connection: Engine) -> None:
    read = DriverRead(_STATEMENT)
    assert read.first_on(one_connection, public_id="drv0000000000001") is not None
    # psycopg sends DEALLOCATE ALL after rolling back a transaction that prepared
    # statements of its own: the read's name goes with them
    with _the_connection(one_connection) as dbapi_conn:
        with dbapi_conn.cursor() as cur:
            cur.execute("DEALLOCATE ALL")
        dbapi_conn.commit()
    assert read._name.decode() not in _prepared(one_connection)
    got = read.first_on(one_connection, public_id="drv0000000000001")
    assert got is not None and got[1] == "Ett"
    assert read._name.decode() in _prepared(one_connection)


def test_first_on_postgresql_drops_a_lost_connection(one_connection: Engine,
                                                     engine: Engine) -> None:
    read = DriverRead(_STATEMENT)
    assert read.first_on(one_connection, public_id="drv0000000000001") is not None
    with _the_connection(one_connection) as dbapi_conn:
        pid = dbapi_conn.info.backend_pid
    with engine.connect() as connection:  # the server ends the pooled connection
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(DBAPIError) as raised:
        read.first_on(one_connection, public_id="drv0000000000001")
    assert raised.value.connection_invalidated
    assert one_connection.pool.checkedout() == 0
    # a new connection: prepared there again
    assert read.first_on(one_connection, public_id="drv0000000000001") is not None


def test_first_on_postgresql_prepares_nothing_where_psycopg_is_told_not_to(
        db_url: str) -> None:
    _only_on_postgresql(db_url)  # e.g. behind PgBouncer's transaction pooling
    engine = make_engine(db_url, pool_size=1, max_overflow=0,
                         connect_args={"prepare_threshold": None})
    try:
        with Session(engine) as session:
            _archive(session)
        read = DriverRead(_STATEMENT)
        for _ in range(6):  # more than psycopg's default threshold (5)
            got = read.first_on(reading(engine), public_id="drv0000000000001")
            assert got is not None and got[1] == "Ett"
        assert _prepared(engine) == {}
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()
