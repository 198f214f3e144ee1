"""Verify a quote: stored verifications (the /verify/{id} permalinks) and the links between
quotes that are each other's translation (Swedish <-> English)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sqlmodel.AutoString(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("claimed_speaker", sqlmodel.AutoString(length=300), nullable=True),
        sa.Column("verdict", sqlmodel.AutoString(length=32), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_verification_public_id", "verification", ["public_id"], unique=True)
    op.create_table(
        "quotetranslation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["quote.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quote_id", "other_id", name="uq_quote_translation"),
    )
    op.create_index("ix_quotetranslation_quote_id", "quotetranslation", ["quote_id"])
    op.create_index("ix_quotetranslation_other_id", "quotetranslation", ["other_id"])


def downgrade() -> None:
    op.drop_index("ix_quotetranslation_other_id", table_name="quotetranslation")
    op.drop_index("ix_quotetranslation_quote_id", table_name="quotetranslation")
    op.drop_table("quotetranslation")
    op.drop_index("ix_verification_public_id", table_name="verification")
    op.drop_table("verification")
