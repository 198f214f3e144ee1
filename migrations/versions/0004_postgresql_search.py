"""PostgreSQL full-text search: a tsvector of the Python-stemmed quote words, GIN-indexed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 16:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite searches through the FTS5 table made in 0001
    # The words are stemmed in Python (Snowball, like the SQLite path) and stored with the
    # 'simple' configuration, so both engines match exactly the same stems.
    op.execute(
        "CREATE TABLE quote_search ("
        " quote_id INTEGER PRIMARY KEY REFERENCES quote(id) ON DELETE CASCADE,"
        " body TSVECTOR NOT NULL)"
    )
    op.execute("CREATE INDEX ix_quote_search_body ON quote_search USING GIN (body)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS quote_search")
