"""speaker.name_key and speaker.surname: the casefolded name and last name part, indexed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _surname(name: str) -> str:
    """The same rule as app.storage.models.surname_key, frozen here with this revision."""
    parts = [p for p in name.replace("-", " ").replace(".", " ").split() if p]
    return parts[-1].casefold()[:300] if parts else ""


def upgrade() -> None:
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        for column in ("name_key", "surname"):
            batch_op.add_column(sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=300),
                                          server_default="", nullable=False))
    speaker = sa.table("speaker", sa.column("id", sa.Integer), sa.column("name", sa.String),
                       sa.column("name_key", sa.String), sa.column("surname", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(speaker.c.id, speaker.c.name)).all()
    updates = [{"sid": sid, "key": name.casefold()[:300], "last": _surname(name)}
               for sid, name in rows]
    for i in range(0, len(updates), 1000):
        conn.execute(speaker.update().where(speaker.c.id == sa.bindparam("sid"))
                     .values(name_key=sa.bindparam("key"), surname=sa.bindparam("last")),
                     updates[i:i + 1000])
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speaker_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_speaker_surname"), ["surname"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speaker_surname"))
        batch_op.drop_index(batch_op.f("ix_speaker_name_key"))
        batch_op.drop_column("surname")
        batch_op.drop_column("name_key")
