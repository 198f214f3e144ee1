"""PostgreSQL: the home page's newest quotes read off an index of articles newest first

The home page lists the newest quotes by their article's date, newest first, undated articles
last (``queries.latest_quotes``: ``published_at DESC NULLS LAST, id DESC``). SQLite keeps
NULL lowest, so it walks ``ix_article_published_at`` backwards and stops after ten quotes.
PostgreSQL keeps NULL highest: walked backwards, that index gives the undated articles first,
so the planner read every article and sorted them (a parallel sequential scan: 44 ms at
100,000 quotes, 20,000 articles; ten times that at a million) each time the home page was
computed. An index in exactly that order (an expression SQLite's ``CREATE INDEX`` refuses:
"unsupported use of NULLS LAST") lets it read the first few articles: 0.14 ms. PostgreSQL
only; ``migrations/env.py`` leaves "pgsort_" indexes out of autogenerate.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 10:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "pgsort_article_newest"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {INDEX} ON article (published_at DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
