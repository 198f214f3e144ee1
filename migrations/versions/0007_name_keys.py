"""speakeralias.text_key and entity.name_key (casefolded), and trigram indexes on PostgreSQL

The search page's "people and entities named ..." box matched ``lower(name) LIKE '%x%'``.
SQLite's lower() folds A-Z only, so a name with Å, Ä or Ö capitals ("Åsa Öberg") was never
found by "åsa". The keys hold Python's casefold on every engine. On PostgreSQL, pg_trgm's GIN
indexes serve the substring match (where the extension can be created; otherwise the match
scans, as on SQLite).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:40:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, source column, key column); speaker.name_key exists since 0006.
KEYS = (("speakeralias", "text", "text_key"), ("entity", "name", "name_key"))
#: Trigram indexes (PostgreSQL only; migrations/env.py leaves "trgm_" indexes out of the
#: model comparison, since SQLite has none).
TRIGRAM = (("trgm_speaker_name_key", "speaker", "name_key"),
           ("trgm_speakeralias_text_key", "speakeralias", "text_key"),
           ("trgm_entity_name_key", "entity", "name_key"))


def upgrade() -> None:
    conn = op.get_bind()
    for table, source, key in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(key, sqlmodel.sql.sqltypes.AutoString(length=300),
                                          server_default="", nullable=False))
        t = sa.table(table, sa.column("id", sa.Integer), sa.column(source, sa.String),
                     sa.column(key, sa.String))
        last = 0  # in id order, a few thousand rows at a time: a large archive never in memory
        while rows := conn.execute(sa.select(t.c.id, t.c[source]).where(t.c.id > last)
                                   .order_by(t.c.id).limit(5000)).all():
            conn.execute(t.update().where(t.c.id == sa.bindparam("rid"))
                         .values({key: sa.bindparam("k")}),
                         [{"rid": rid, "k": value.casefold()[:300]} for rid, value in rows])
            last = rows[-1][0]
    if conn.dialect.name != "postgresql":
        return
    # In a savepoint: where the extension cannot be made (or lives in a schema off the search
    # path, so its operator class is unknown here), warn and go on without the indexes.
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, table, column in TRIGRAM:
                conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                                     f"USING GIN ({column} gin_trgm_ops)")
    except sa.exc.DBAPIError as exc:
        logging.getLogger("alembic").warning(
            "pg_trgm is not available (%s): name matches will scan instead of using an index",
            str(exc.orig).strip().splitlines()[0])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for table, _, key in KEYS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(key)
