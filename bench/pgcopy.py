"""A SQLite benchmark database copied into PostgreSQL, row for row (the same ids, slugs and
permalinks), so one set of URLs measures both engines.

    to_postgres(Path("/tmp/citat-bench/distinct-100000.db"),
                "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                "citat_bench_distinct_100000")

The database is created at this tree's migration head, every table of the models is copied
with COPY (foreign-key triggers off while it runs: the rows come from a consistent database),
the search table is built from the SQLite FTS5 table's own columns (the same stems, lemmas and
names, weighted as ``search.PG_ROW`` does), the id sequences are moved past the copied ids,
and the tables analysed. A database that already holds as many quotes is reused.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5_000


def _admin(server: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server).set(drivername="postgresql", database="postgres")
    return url.render_as_string(hide_password=False)


def to_postgres(db: Path, server: str, name: str) -> str:
    """The SQLAlchemy URL of ``name`` on ``server`` holding a copy of the SQLite file ``db``."""
    sys.path.insert(0, str(ROOT))
    import psycopg
    from sqlalchemy.engine import make_url
    from sqlmodel import SQLModel

    import app.storage.models  # noqa: F401  (the tables, on SQLModel.metadata)
    from app.storage.migrate import upgrade

    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    src = sqlite3.connect(db)
    quotes = src.execute("SELECT count(*) FROM quote").fetchone()[0]
    with psycopg.connect(_admin(server), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               (name,)).fetchone()
    if exists:
        with psycopg.connect(plain) as c:
            try:
                held = c.execute("SELECT count(*) FROM quote").fetchone()
            except psycopg.Error:
                held = None
        if held and held[0] == quotes:
            src.close()
            upgrade(url)  # a copy made before this checkout's migrations gets their indexes
            return url
    with psycopg.connect(_admin(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    upgrade(url)
    t0 = time.perf_counter()
    with psycopg.connect(plain) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        pg.execute("SET session_replication_role = replica")  # no FK triggers while copying
        for table in SQLModel.metadata.sorted_tables:
            cols = [c.name for c in table.columns]
            quoted = ", ".join(f'"{c}"' for c in cols)
            rows = src.execute(f'SELECT {quoted} FROM "{table.name}"')
            with pg.cursor().copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                while batch := rows.fetchmany(BATCH):
                    for row in batch:
                        copy.write_row(row)
        pg.execute("CREATE TEMP TABLE fts (quote_id int, body text, extra text, names text)")
        rows = src.execute("SELECT rowid, body, extra, names FROM quote_fts")
        with pg.cursor().copy("COPY fts FROM STDIN") as copy:
            while batch := rows.fetchmany(BATCH):
                for row in batch:
                    copy.write_row(row)
        pg.execute(
            "INSERT INTO quote_search(quote_id, body) SELECT quote_id, "
            "setweight(to_tsvector('simple', body), 'B') || "
            "setweight(to_tsvector('simple', extra), 'C') || "
            "setweight(to_tsvector('simple', names), 'A') FROM fts")
        for table in SQLModel.metadata.sorted_tables:
            if "id" in table.columns and table.columns["id"].autoincrement is not False:
                seq = pg.execute("SELECT pg_get_serial_sequence(%s, 'id')",
                                 (table.name,)).fetchone()
                if seq and seq[0]:
                    pg.execute(f'SELECT setval(%s, coalesce((SELECT max(id) FROM '
                               f'"{table.name}"), 0) + 1, false)', (seq[0],))
        pg.execute("SET session_replication_role = origin")
        pg.commit()
    with psycopg.connect(plain, autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")
    src.close()
    print(f"copied {db} ({quotes:,} quotes) into PostgreSQL {name} in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    return url
