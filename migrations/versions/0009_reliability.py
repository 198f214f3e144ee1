"""user.session_version (server-side logout), and publication dates out of range cleared

Logging out adds one to the user's session version, which every session cookie carries: a
copied cookie stops working at logout. Publication dates are accepted from year 1800 to 2200
from now on; a stored date outside that range (year 10000 could be stored on PostgreSQL and
then never read back) is cleared so that no stored row makes a page fail.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                   server_default="0"))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE article SET published_at = NULL WHERE published_at "
                   "< '1800-01-01T00:00:00+00' OR published_at >= '2201-01-01T00:00:00+00'")
    else:  # stored as text: "YYYY-MM-DD HH:MM:SS…" compares in date order (4-digit years)
        op.execute("UPDATE article SET published_at = NULL WHERE published_at "
                   "< '1800-01-01' OR published_at >= '2201-01-01'")


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_version")
