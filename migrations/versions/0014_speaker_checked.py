"""quote.speaker_checked: an editor chose or confirmed the speaker (the attribution is then
shown as certain whatever the machine's speaker_confidence), backfilled from the corrections

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaker_checked", sa.Boolean(), server_default="0",
                                      nullable=False))
    # The quotes whose speaker an editor set (to someone) or confirmed.
    op.execute(sa.text(
        "UPDATE quote SET speaker_checked = :yes WHERE speaker_id IS NOT NULL AND public_id IN "
        "(SELECT quote_public_id FROM correction WHERE action IN ('quote_speaker', 'reviewed'))"
    ).bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.drop_column("speaker_checked")
