"""echo keys: a quote's "also reported in" candidates found by an index lookup

Saving a quote looked for its echoes with a full-text phrase search of its first eight words
(one FTS5 / GIN search per quote, a third of SQLite's write cost per article). The quotes now
keep hashes of runs of their stemmed words (``aggregates.echo_keys``) in ``quoteechokey``,
and a quote's candidates are the stored quotes sharing a key: one primary-key lookup. The
keys and the links are filled from the stored quotes (``aggregates.rebuild_echoes``).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quoteechokey",
        sa.Column("hash", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("quote_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hash", "quote_id"),
        sqlite_with_rowid=False,
    )
    from app.storage.aggregates import rebuild_echoes

    session = Session(bind=op.get_bind())
    rebuild_echoes(session)
    session.flush()


def downgrade() -> None:
    op.drop_table("quoteechokey")
