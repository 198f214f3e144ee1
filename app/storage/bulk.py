"""Many rows in one statement.

A multi-row ``VALUES`` list or an executemany sends one placeholder per value (or one
statement per row): psycopg parses every placeholder of a long statement in Python, and the
server plans or executes once per row. ``unnest_rows`` sends each column as one array
instead, unnested on the server into the rows, in order (``WITH ORDINALITY … ORDER BY``):
an ``INSERT … SELECT`` of it (with ``ON CONFLICT`` or ``RETURNING``) writes a window of
articles' rows of one table at once.
On SQLite, whose executemany loops in C but which SQLAlchemy runs row by row when the ids
are returned, :func:`sqlite_insert_returning` sends a multi-row ``VALUES`` list instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, Insert, Select, bindparam, func, insert, select
from sqlalchemy.orm import Session

#: Variables a SQLite statement may hold (SQLite 3.32 and later: 32,766).
SQLITE_VARIABLES = 32_000


def unnest_rows(table: Any, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
                ) -> Select[Any]:
    """``SELECT … FROM unnest(:c0::type[], :c1::type[] …) WITH ORDINALITY AS unnested(c0, c1
    …, ordinality) ORDER BY ordinality`` giving ``rows`` (PostgreSQL only), one column per
    name in ``columns``, in their order: said, not left to the order ``unnest`` happens to
    produce them in (an ``INSERT … SELECT`` draws its ids from the sequence in that order,
    and takes the row locks of an upsert in it)."""
    unnested = func.unnest(*(
        bindparam(f"unnest_{i}", [row[name] for row in rows], type_=ARRAY(table.c[name].type))
        for i, name in enumerate(columns))).table_valued(
            *columns, with_ordinality="ordinality").render_derived(name="unnested")
    return select(*(unnested.c[name] for name in columns)).order_by(unnested.c.ordinality)


def insert_rows(table: Any, rows: Sequence[Mapping[str, Any]]) -> Insert:
    """An INSERT of ``rows`` (all with the keys of the first) as one statement (PostgreSQL
    only), the rows inserted in their order."""
    columns = list(rows[0])
    return insert(table).from_select(columns, unnest_rows(table, columns, rows))


def sqlite_insert_returning(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]
                            ) -> list[int]:
    """Insert ``rows`` (all with the keys of the first) on SQLite, as many a statement as it
    allows; their ids in row order. Each value goes through its column type's bind processor,
    as SQLAlchemy would send it. SQLite gives a new row the next rowid and one writer holds
    the database, so the ids of rows inserted in order ascend: sorted, they are in row order
    whatever order ``RETURNING`` reports them in."""
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    per = max(1, SQLITE_VARIABLES // len(columns))
    conn = session.connection()
    ids: list[int] = []
    for n in range(0, len(rows), per):
        chunk = rows[n:n + per]
        values = tuple(p(row[c]) if p else row[c] for row in chunk
                       for c, p in zip(columns, processors, strict=True))
        sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) "  # noqa: S608
               f"VALUES {', '.join([one] * len(chunk))} RETURNING id")
        ids += sorted(int(r[0]) for r in conn.exec_driver_sql(sql, values))
    return ids
