"""Engine construction: SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Key of a PostgreSQL connection's ``info``: pg_trgm is usable on it.
TRIGRAMS = "citat_trigrams"


#: Key of a PostgreSQL connection's ``info``: ``DriverRead``'s state on it (the names of the
#: statements it prepared there and the driver's row loader); forgotten with the connection.
_LIBPQ = "citat_libpq"
#: PostgreSQL's SQLSTATE for an unknown prepared statement (``invalid_sql_statement_name``).
_NO_SUCH_STATEMENT = "26000"


#: A pooled PostgreSQL connection unused for longer than this is pinged before it is handed
#: out again (one used since is not: a busy page reuses its connection within milliseconds).
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "citat_idle_since"


def ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled connection before use only when it has been idle: SQLAlchemy's
    ``pool_pre_ping`` sends a ``SELECT 1`` on every checkout (one more round trip and
    server statement per page); after a server restart the idle connections are still found
    dead (and replaced: the pool is told with ``DisconnectionError``) before a request uses
    them."""

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since <= idle_seconds:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # dead: the pool drops it and connects again
            raise DisconnectionError(f"pooled connection lost: {exc}") from exc


def is_sqlite(url: str) -> bool:
    """Whether the URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def reading(engine: Engine) -> Engine:
    """The engine for pages that only read: the same pool and events, each statement run on
    its own (autocommit: no BEGIN before the first, no ROLLBACK when the session closes).

    What a page reads is what it read before: PostgreSQL's READ COMMITTED (and SQLite, where
    Python's driver opens no transaction before a SELECT) gives each statement its own
    snapshot either way. What it saves on PostgreSQL: two of a one-statement page's three
    round trips, and psycopg's prepared statements. psycopg forgets them (``DEALLOCATE ALL``)
    on every ROLLBACK, so with a transaction a page, and the session's ROLLBACK at its end, no
    statement was ever prepared: each was parsed and planned by the server on every page
    (~0.64 ms of server CPU a permalink, ~0.10 ms in autocommit). A session on this engine
    must not write (nothing would be rolled back). On SQLite the engine itself: its driver
    opens no transaction before a SELECT already, and SQLAlchemy's autocommit there costs
    PRAGMA statements at every checkout (~25 % more CPU a permalink)."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


#: Connections a pool keeps (a SQLite file, PostgreSQL): all it may open, so a busy web process
#: never closes one on return to open another a moment later (SQLAlchemy's overflow). With the
#: old 5 + 10 (SQLite) and 10 + 30 (PostgreSQL), a web process under 16 connections of
#: permalinks opened 2-15 PostgreSQL sessions in 5 s, each ~11 ms of its CPU and ~40 ms of a
#: request's wall time (a new server process, its catalog caches, the statement prepared and
#: planned again): the page's p99 (bench/README.md). The connection returned last is handed
#: out first (LIFO): a quiet process uses one or two while the others sit idle, instead of
#: each in turn idling past ``PING_AFTER_IDLE_SECONDS`` and being pinged.
SQLITE_POOL = 15
POSTGRES_POOL = 40  # the web threads (40 by default) and worker threads share it


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for ``url`` with the connection settings Citat relies on."""
    if is_sqlite(url):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        if make_url(url).database not in (None, "", ":memory:"):  # a file: a QueuePool
            kwargs.setdefault("pool_size", SQLITE_POOL)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_use_lifo", True)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers work while one writer commits; FKs are off by default in SQLite.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", POSTGRES_POOL)
    kwargs.setdefault("max_overflow", 0)
    kwargs.setdefault("pool_use_lifo", True)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        ping_when_idle(engine)

    @event.listens_for(engine, "connect")
    def _pg_features(dbapi_conn: Any, record: Any) -> None:
        # Whether pg_trgm's similarity() and % are usable on this connection (migrations
        # 0007/0013 warn and go on where the extension cannot be made); read by
        # app.storage.search, asked once per connection.
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT to_regprocedure('similarity(text,text)') IS NOT NULL "
                        "AND to_regoperator('%(text,text)') IS NOT NULL")
            record.info[TRIGRAMS] = bool(cur.fetchone()[0])
            # Every session in UTC, whatever the server's TimeZone: instants come back, and
            # SQL groups them by month or day, as on SQLite (which stores them in UTC). A
            # SET, not a startup option, which connection poolers such as PgBouncer refuse.
            cur.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.commit()  # the SET lasts for the session (a rollback would undo it)

    return engine




class DriverRead:
    """A SELECT of one row, compiled once per dialect and run on the pooled connection's own
    driver cursor: no execution context, result object or row type a call (on a page's one
    read ~55 µs of CPU less on SQLite, ~150-200 µs on PostgreSQL than ``Connection.execute``
    of the same cached statement). The column values go through the same type conversions as
    SQLAlchemy's (``TypeEngine.result_processor``: SQLite's timestamps and booleans), and the
    engine's ``before_cursor_execute`` / ``after_cursor_execute`` listeners are told (with no
    execution context), so statement counts and checks still see it. For statements whose
    parameters need no conversion (strings, integers): refused otherwise. On ``first``'s
    connection psycopg prepares it on the server after a few runs, as it does any statement;
    :meth:`first_on` on PostgreSQL prepares it at once and runs it without psycopg's cursor
    (``_first_on_libpq``)."""

    _numbers = itertools.count(1)

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        # By dialect (an engine's), forgotten with it.
        self._compiled: WeakKeyDictionary[Any, tuple[str, Any, tuple[str, ...] | None]] = (
            WeakKeyDictionary())
        self._processors: WeakKeyDictionary[Any, list[Any] | None] = WeakKeyDictionary()
        # psycopg: the statement's name when prepared on a connection (psycopg's own are
        # "_pg3_N"), and by dialect its SQL in libpq's form ($1, $2 …) with the fixed values.
        self._name = f"citat_read_{next(DriverRead._numbers)}".encode()
        self._libpq: WeakKeyDictionary[Any, tuple[bytes, tuple[str, ...], dict[str, Any]]] = (
            WeakKeyDictionary())

    def _compile(self, dialect: Any) -> tuple[str, Any, tuple[str, ...] | None]:
        compiled = self.statement.compile(dialect=dialect)
        for name, bind in compiled.binds.items():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise TypeError(f"parameter {name!r} needs a conversion: use execute()")
        order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        found = (str(compiled), dict(compiled.params), order)
        self._compiled[dialect] = found
        return found

    def _result_processors(self, dialect: Any, description: Any) -> list[Any] | None:
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, d[1])
                      for column, d in zip(self.statement.selected_columns, description,
                                           strict=True)]
        found = processors if any(p is not None for p in processors) else None
        self._processors[dialect] = found
        return found

    def first_on(self, engine: Engine, **params: Any) -> tuple[Any, ...] | None:
        """:meth:`first` on a connection of ``engine``'s pool checked out for this read alone.

        With no cursor listener on the engine (a server's case), no ``Connection`` is made:
        the pooled driver connection is checked out (the pool's checkout and checkin events
        run, its reset on return too), set to the engine's isolation level by the dialect
        (``reading``'s autocommit on PostgreSQL) and set back before it is returned. What the
        ``Connection`` cost around one read (its events, and its isolation level set and reset
        through the execution options' machinery): ~35 µs of CPU on PostgreSQL, ~9 µs on
        SQLite, of a permalink read's ~100 and ~30. With a listener (tests, statement counts),
        through :meth:`first` on ``engine.connect()``, which hands the listeners a
        ``Connection``."""
        dispatch = engine.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            with engine.connect() as connection:
                return self.first(connection, **params)
        dialect = engine.dialect
        if dialect.driver == "psycopg":
            return self._first_on_libpq(engine, params)
        isolation = engine.get_execution_options().get("isolation_level")
        pooled = engine.raw_connection()
        dbapi_connection = pooled.dbapi_connection
        assert dbapi_connection is not None  # just checked out: valid
        try:
            if isolation is not None:
                dialect.set_isolation_level(dbapi_connection, isolation)
            try:
                row, processors = self._run(dialect, dbapi_connection, None, dispatch, params)
            except DBAPIError as exc:
                if exc.connection_invalidated:  # lost: dropped, not given back to the pool
                    pooled.invalidate(exc.orig)
                raise
            finally:  # never back to the pool in autocommit, whatever happened
                if isolation is not None and pooled.is_valid:
                    dialect.reset_isolation_level(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:  # the level could not be set or reset
            pooled.invalidate(exc)
            raise DBAPIError.instance(None, None, exc, dialect.loaded_dbapi.Error,
                                      dialect=dialect, connection_invalidated=True) from exc
        finally:
            pooled.close()
        return self._values(row, processors)

    def _first_on_libpq(self, engine: Engine, params: dict[str, Any]
                        ) -> tuple[Any, ...] | None:
        """:meth:`first_on` on PostgreSQL through psycopg's libpq connection (``pgconn``):
        the statement prepared on the connection under a name of its own once (one more round
        trip, the first time on each connection), then one Bind/Execute a read, the values
        loaded by psycopg's own row loader (its ``Transformer``: the same Python values as its
        cursor gives). No cursor, no query conversion or prepared-statement bookkeeping a call
        and no isolation level set and reset: a connection comes out of the pool idle (its
        reset rolled back any transaction) and psycopg sends a BEGIN only before a cursor's
        statement, so the one statement runs in its own implicit transaction, as in
        autocommit, and leaves the connection idle (~95 → ~40 µs of CPU a permalink read,
        pool checkout included). A name the server forgot (psycopg's ``DEALLOCATE ALL`` after
        a rolled-back transaction that had prepared statements, a ``DISCARD ALL``) is
        prepared again and the read run once more. A connection found inside a transaction
        (a pool without a reset), or one told not to prepare statements (psycopg's
        ``prepare_threshold=None``, as behind PgBouncer's transaction pooling), is read
        through its cursor instead."""
        import psycopg
        from psycopg import generators
        from psycopg.adapt import Transformer
        from psycopg.pq import ExecStatus, TransactionStatus

        dialect = engine.dialect
        sql, names, fixed = self._libpq.get(dialect) or self._compile_libpq(dialect)
        values = {**fixed, **params}
        pooled = engine.raw_connection()
        try:
            conn = pooled.dbapi_connection
            assert isinstance(conn, psycopg.Connection)  # just checked out: valid
            pgconn = conn.pgconn
            if (pgconn.transaction_status != TransactionStatus.IDLE
                    or conn.prepare_threshold is None):
                row, processors = self._run(dialect, conn, None, engine.dispatch, params)
                return self._values(row, processors)
            state = pooled.info.get(_LIBPQ)
            if state is None:
                state = pooled.info[_LIBPQ] = (Transformer(conn), set(), conn.info.encoding)
            loader, prepared, encoding = state
            arguments = [_text_value(values[name], encoding) for name in names]
            try:
                with conn.lock:
                    for _attempt in (1, 2):
                        if self._name not in prepared:
                            pgconn.send_prepare(self._name, sql)
                            result = conn.wait(generators.execute(pgconn))[-1]
                            if result.status != ExecStatus.COMMAND_OK:
                                raise psycopg.errors.error_from_result(
                                    result, encoding=encoding)
                            prepared.add(self._name)
                        pgconn.send_query_prepared(self._name, arguments)
                        result = conn.wait(generators.execute(pgconn))[-1]
                        if result.status == ExecStatus.TUPLES_OK:
                            break
                        error = psycopg.errors.error_from_result(
                            result, encoding=encoding)
                        if error.sqlstate != _NO_SUCH_STATEMENT or _attempt == 2:
                            raise error
                        prepared.discard(self._name)  # forgotten by the server: again
            except psycopg.Error as exc:  # as SQLAlchemy raises it
                lost = dialect.is_disconnect(exc, conn, None)
                if lost:  # dropped, not given back to the pool
                    pooled.invalidate(exc)
                raise DBAPIError.instance(sql.decode(), arguments, exc, psycopg.Error,
                                          dialect=dialect,
                                          connection_invalidated=lost) from exc
            if not result.ntuples:
                return None
            processors = (self._processors[dialect] if dialect in self._processors
                          else self._result_processors(dialect, [
                              (None, result.ftype(i)) for i in range(result.nfields)]))
            loader.set_pgresult(result)
            try:
                row = loader.load_row(0, tuple)
            finally:
                loader.set_pgresult(None)
        finally:
            pooled.close()
        return self._values(row, processors)

    def _compile_libpq(self, dialect: Any) -> tuple[bytes, tuple[str, ...], dict[str, Any]]:
        """The statement in libpq's form: psycopg's ``%(name)s`` as ``$1``, ``$2`` … in the
        order first seen, ``%%`` as ``%``; the names in that order and the fixed values."""
        sql, fixed, _order = self._compiled.get(dialect) or self._compile(dialect)
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "%"
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        found = (re.sub(r"%%|%\((\w+)\)s", number, sql).encode(), tuple(names), fixed)
        self._libpq[dialect] = found
        return found

    def first(self, connection: Connection, **params: Any) -> tuple[Any, ...] | None:
        """The first row for ``params`` (the statement's named parameters), or None."""
        dialect = connection.dialect
        try:
            row, processors = self._run(dialect, connection.connection.dbapi_connection,
                                        connection, connection.dispatch, params)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                connection.invalidate(exc.orig)
            raise
        return self._values(row, processors)

    def _run(self, dialect: Any, dbapi_connection: Any, connection: Connection | None,
             dispatch: Any, params: dict[str, Any]) -> tuple[Any, list[Any] | None]:
        """The first row on the driver's cursor and the column values' conversions (None:
        none needed); a driver error raised as SQLAlchemy's, ``connection_invalidated`` set
        when the connection was lost (the caller invalidates it)."""
        sql, fixed, order = self._compiled.get(dialect) or self._compile(dialect)
        values = {**fixed, **params}
        parameters = tuple(values[k] for k in order) if order is not None else values
        cursor = dbapi_connection.cursor()
        try:
            for listener in dispatch.before_cursor_execute:
                listener(connection, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            for listener in dispatch.after_cursor_execute:
                listener(connection, cursor, sql, parameters, None, False)
            row = cursor.fetchone()
            processors = (self._processors[dialect] if dialect in self._processors
                          else self._result_processors(dialect, cursor.description))
        except dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy raises it
            lost = dialect.is_disconnect(exc, dbapi_connection, cursor)
            raise DBAPIError.instance(sql, parameters, exc, dialect.loaded_dbapi.Error,
                                      dialect=dialect,
                                      connection_invalidated=lost) from exc
        finally:
            cursor.close()
        return row, processors

    @staticmethod
    def _values(row: Any, processors: list[Any] | None) -> tuple[Any, ...] | None:
        if row is None:
            return None
        if processors is None:  # the driver's values are already the column types' own
            return tuple(row)
        return tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))


#: The tables a bulk ingest grows or rewrites, vacuumed and analysed after it on PostgreSQL.
GROWN_BY_INGEST = ("quote", "quote_search", "article", "entityquote", "entitymention",
                   "speaker", "entity", "speakercount", "speakermonth", "speakerentity",
                   "speakerpair", "entitycount")


def vacuum_after_bulk(engine: Engine) -> bool:
    """``VACUUM (ANALYZE)`` the tables a bulk ingest grew (PostgreSQL; whether it ran).

    The pages' lookups by id are index-only scans (migration 0023's covering indexes), which
    read the table after all wherever the visibility map does not mark a page all-visible, and
    only a vacuum sets it; the search's estimates (``app.storage.pgwindows``) read the most
    common words ``ANALYZE`` keeps. Autovacuum gets there after 1 % new rows (migration 0023)
    when it is on; this makes a bulk load ready at once, and covers a server that runs
    without it. A vacuum after inserts reads the new pages only."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(GROWN_BY_INGEST))
    return True


def _text_value(value: Any, encoding: str) -> bytes | None:
    """A parameter in PostgreSQL's text format (for the types ``DriverRead`` takes)."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return str(value).encode()
    if isinstance(value, str):
        return value.encode(encoding)
    raise TypeError(f"no text form for a parameter of type {type(value).__name__}")
