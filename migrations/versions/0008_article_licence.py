"""article.licence and article.attribution: the licence and credit of openly licensed text

The demo archive (the gold corpus's articles) is CC BY and similar text: the article page must
show the credit the licence requires.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("licence", sqlmodel.AutoString(length=200), nullable=True))
        batch.add_column(sa.Column("attribution", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.drop_column("attribution")
        batch.drop_column("licence")
