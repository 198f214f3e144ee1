"""entitymention.label: the label the extractor gave each mention, so that an entity is
labelled by the majority of its mentions (``citat names merge``); filled from the entity's
label for the mentions stored before. An index on entity.name_key: saving finds an entity by
its casefolded name, whatever the label

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entitymention") as batch:
        batch.add_column(sa.Column("label", sqlmodel.AutoString(length=8), nullable=False,
                                   server_default=""))
    op.execute("UPDATE entitymention SET label = (SELECT entity.label FROM entity "
               "WHERE entity.id = entitymention.entity_id)")
    op.create_index(op.f("ix_entity_name_key"), "entity", ["name_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_entity_name_key"), table_name="entity")
    with op.batch_alter_table("entitymention") as batch:
        batch.drop_column("label")
