"""lookup indexes for saving articles: entity by name, merged speaker names

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_name"), ["name"], unique=False)
    with op.batch_alter_table("speakeralias", schema=None) as batch_op:
        batch_op.create_index("ix_speakeralias_kind_text", ["kind", "text"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("speakeralias", schema=None) as batch_op:
        batch_op.drop_index("ix_speakeralias_kind_text")
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_name"))
