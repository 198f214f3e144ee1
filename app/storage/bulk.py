"""Many rows in one PostgreSQL statement with one parameter per column.

A multi-row ``VALUES`` list or an executemany sends one placeholder per value (or one
statement per row): psycopg parses every placeholder of a long statement in Python, and the
server plans or executes once per row. ``unnest_rows`` sends each column as one array
instead, unnested on the server into the rows, in order: an ``INSERT … SELECT`` of it (with
``ON CONFLICT`` or ``RETURNING``) writes a window of articles' rows of one table at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, Insert, Select, bindparam, func, insert, select


def unnest_rows(table: Any, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
                ) -> Select[Any]:
    """``SELECT unnest(:c0::type[]) AS c0, unnest(:c1::type[]) AS c1 …`` giving ``rows``
    (PostgreSQL only), in their order, one column per name in ``columns``."""
    return select(*(
        func.unnest(bindparam(f"unnest_{i}", [row[name] for row in rows],
                              type_=ARRAY(table.c[name].type))).label(name)
        for i, name in enumerate(columns)))


def insert_rows(table: Any, rows: Sequence[Mapping[str, Any]]) -> Insert:
    """An INSERT of ``rows`` (all with the keys of the first) as one statement (PostgreSQL
    only), the rows inserted in their order."""
    columns = list(rows[0])
    return insert(table).from_select(columns, unnest_rows(table, columns, rows))
