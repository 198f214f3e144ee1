"""quote: an index in the order of every list and export (newest article first, then the
article's quotes in text order), so a whole-archive export starts at once instead of sorting
every quote first

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_quote_list_order", "quote",
                    [sa.text("article_date DESC"), sa.text("article_id DESC"), "start"])


def downgrade() -> None:
    op.drop_index("ix_quote_list_order", table_name="quote")
