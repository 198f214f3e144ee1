"""the names a speaker was merged from looked up by their folded text on an index

An entity page of a person or organisation asks for the speaker of the same name or the one
that name was merged into (``queries.get_entity``): ``speakeralias`` by ``kind = 'merged'`` and
``text_key``. With an index on (kind, text) only, SQLite scanned the whole table for it
(65 µs at 1,840 aliases, growing with the archive's names).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 02:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_speakeralias_kind_text_key", "speakeralias", ["kind", "text_key"])


def downgrade() -> None:
    op.drop_index("ix_speakeralias_kind_text_key", table_name="speakeralias")
