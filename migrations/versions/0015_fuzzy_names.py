"""A trigram index on speaker.surname (PostgreSQL)

Misspelt names ("did you mean", ``speaker:lavrof``) are looked for among speakers' full names
and surnames and entities' names. On PostgreSQL pg_trgm's ``%`` picks the candidates on GIN
trigram indexes: 0007 made them on ``speaker.name_key`` and ``entity.name_key``; this adds
``speaker.surname``. Nothing trigram on SQLite (its candidates are read by first letter).
The B-tree index on ``entity.name_key`` that a speaker's page finds its entity by is 0013's.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 16:40:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: PostgreSQL only; migrations/env.py leaves "trgm_" indexes out of the model comparison.
TRIGRAM = (("trgm_speaker_surname", "speaker", "surname"),)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    # As in 0007: where the extension cannot be made (or its operator class is off the search
    # path), warn and go on; the fuzzy lookup then reads its candidates by first letter.
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for name, table, column in TRIGRAM:
                conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                                     f"USING GIN ({column} gin_trgm_ops)")
    except sa.exc.DBAPIError as exc:
        logging.getLogger("alembic").warning(
            "pg_trgm is not available (%s): misspelt names are looked for without it",
            str(exc.orig).strip().splitlines()[0])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
