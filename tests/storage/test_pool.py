"""Pooled connections are checked before use only after they sat idle (``app.storage.db``):
no ``SELECT 1`` round trip on every page, and a dead idle connection is still replaced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlmodel import create_engine

from app.storage import db
from app.storage.db import is_sqlite, make_engine, ping_when_idle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(db.time, "monotonic", c)
    return c


def _pings(engine: Engine, monkeypatch: pytest.MonkeyPatch, fail: list[bool]) -> list[Any]:
    seen: list[Any] = []
    original = engine.dialect.do_ping

    def do_ping(dbapi_conn: Any) -> bool:
        seen.append(dbapi_conn)
        if fail and fail.pop(0):
            raise RuntimeError("server closed the connection unexpectedly")
        return bool(original(dbapi_conn))

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    return seen


def _use(engine: Engine) -> Any:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        return conn.connection.dbapi_connection


def test_a_connection_is_pinged_only_after_sitting_idle(
        db_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(db_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=1.0)
    pings = _pings(engine, monkeypatch, [])
    first = _use(engine)  # a new connection: not pinged
    clock.now += 0.5
    assert _use(engine) is first  # reused at once: not pinged
    assert pings == []
    clock.now += 5
    assert _use(engine) is first and pings == [first]  # idle 5 s: pinged, alive, kept
    engine.dispose()


def test_a_dead_idle_connection_is_replaced_before_use(
        db_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(db_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds=1.0)
    pings = _pings(engine, monkeypatch, [True])
    first = _use(engine)
    clock.now += 60
    # The ping fails: the pool drops the connection and hands out a new one (not pinged).
    second = _use(engine)
    assert pings == [first] and second is not first
    engine.dispose()


def test_postgresql_engines_ping_idle_connections_only(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        if is_sqlite(db_url):  # one file, no server to lose
            assert _checkout_listener(engine) is None
            return
        assert engine.pool._pre_ping is False  # what the engine was given
        assert _checkout_listener(engine) is not None
    finally:
        engine.dispose()


def _checkout_listener(engine: Engine) -> Any:
    for fn in engine.pool.dispatch.checkout:
        if getattr(fn, "__qualname__", "").startswith("ping_when_idle"):
            return fn
    return None



def _in_transaction(dbapi_conn: Any) -> bool:
    if hasattr(dbapi_conn, "in_transaction"):  # sqlite3
        return bool(dbapi_conn.in_transaction)
    import psycopg
    return bool(dbapi_conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE)


def test_reading_pages_open_no_transaction_and_writes_still_do(db_url: str) -> None:
    from sqlmodel import Session

    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    read = db.reading(engine)
    assert read.pool is engine.pool  # one pool: the same connection serves both in turn
    with Session(read) as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
        dbapi = session.connection().connection.dbapi_connection
        # No BEGIN was sent before the read (on PostgreSQL: autocommit; SQLite reads never
        # open one), so none is left open between a page's statements or to roll back.
        assert not _in_transaction(dbapi)
    with Session(engine) as session:
        session.execute(text("CREATE TEMPORARY TABLE t_read (x INTEGER)"))
        session.execute(text("INSERT INTO t_read VALUES (1)"))
        conn = session.connection().connection.dbapi_connection
        assert conn is dbapi  # the same connection, back to transactions for the write path
        assert _in_transaction(conn)
        session.rollback()
    engine.dispose()


def test_a_busy_process_keeps_its_connections_and_reuses_the_last_returned(
        db_url: str) -> None:
    """Every connection the pool may open is kept (no overflow closed on return and opened
    again by the next burst of requests), and the most recently returned one is handed out
    first (a quiet process uses one; the others sit idle)."""
    engine = make_engine(db_url)
    opened: list[Any] = []
    event.listen(engine, "connect", lambda dbapi_conn, _record: opened.append(dbapi_conn))
    try:
        limit = engine.pool.size() + engine.pool._max_overflow
        assert limit == (db.SQLITE_POOL if is_sqlite(db_url) else db.POSTGRES_POOL)
        for _burst in range(3):  # twelve requests at once, three times
            held = [engine.connect() for _ in range(12)]
            for conn in held:
                conn.close()
        assert len(opened) == 12  # the first burst's, kept and reused
        first, second = engine.connect(), engine.connect()
        a, b = first.connection.dbapi_connection, second.connection.dbapi_connection
        first.close()
        second.close()  # returned last
        with engine.connect() as again:
            assert again.connection.dbapi_connection is b
        assert a is not b and len(opened) == 12
    finally:
        engine.dispose()
