"""a speaker's entities read in order of their count off an index

The speaker page shows the ten entities a speaker talks about most (``profiles.speaker_stats``,
``speakerentity`` ordered by ``quotes`` then the entity's name). With only the primary key
(speaker_id, entity_id) every entity the speaker ever named was read and sorted: ~900 rows
(0.9 ms on SQLite) for the busiest speaker of 100,000 quotes, ten times that at a million.
With (speaker_id, quotes) both engines read the highest counts first and sort only the ties
of the last one (SQLite: "temp b-tree for right part of order by"; PostgreSQL: incremental
sort).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 04:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_speakerentity_speaker_quotes", "speakerentity", ["speaker_id", "quotes"])


def downgrade() -> None:
    op.drop_index("ix_speakerentity_speaker_quotes", table_name="speakerentity")
