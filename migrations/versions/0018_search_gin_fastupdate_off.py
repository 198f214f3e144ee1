"""PostgreSQL: the full-text GIN index of quote_search without a pending list (fastupdate off)

With fastupdate on (PostgreSQL's default) new index entries wait in an unsorted pending list
until vacuum or the list's 4 MB limit, and every search reads the whole list. Saving an
article searches once per quote for the same quote elsewhere ("also reported in"), so a bulk
ingest into a growing archive read an ever longer list on every quote: 2,000 articles took
152-166 s to write instead of 37-40 s without that search (``bench/ingest_parts.py``).
Entries now go straight into the index. SQLite: nothing to do.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 01:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_quote_search_body SET (fastupdate = off)")
    # Whatever waits in the list goes into the index now.
    op.execute("SELECT gin_clean_pending_list('ix_quote_search_body'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_quote_search_body RESET (fastupdate)")
