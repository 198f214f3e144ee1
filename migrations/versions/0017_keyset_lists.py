"""keyset pagination: a speaker's visible quotes in list order on one index, a speaker's
uncertain attributions counted off an index, and the quotes that mention each entity kept in
list order (``entityquote``), backfilled from the stored quotes and mentions; the top of who
mentions an entity and of a speaker's co-speakers read off indexes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_quote_speaker_list", "quote", [
        "speaker_id", "hidden", sa.text("article_date DESC"), sa.text("article_id DESC"),
        "start", "id"])
    op.drop_index("ix_quote_speaker_date", table_name="quote")
    op.create_index("ix_quote_speaker_uncertain", "quote",
                    ["speaker_id", "hidden", "speaker_checked", "speaker_confidence"])
    # The top ten of a ranking read off an index: who mentions an entity most, a speaker's
    # most frequent co-speakers.
    op.create_index("ix_speakerentity_entity_quotes", "speakerentity", ["entity_id", "quotes"])
    op.drop_index("ix_speakerentity_entity_id", table_name="speakerentity")
    op.create_index("ix_speakerpair_speaker_articles", "speakerpair", ["speaker_id", "articles"])
    op.create_table(
        "entityquote",
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("article_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("quote_id", "entity_id"),
    )
    op.create_index(op.f("ix_entityquote_article_id"), "entityquote", ["article_id"])
    op.create_index("ix_entityquote_list", "entityquote", [
        "entity_id", sa.text("article_date DESC"), sa.text("article_id DESC"), "start",
        "quote_id"])
    # Backfilled with the code that keeps it (one INSERT ... SELECT over the mentions).
    from app.storage.aggregates import rebuild_entity_quotes

    session = Session(bind=op.get_bind())
    rebuild_entity_quotes(session)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_entityquote_list", table_name="entityquote")
    op.drop_index(op.f("ix_entityquote_article_id"), table_name="entityquote")
    op.drop_table("entityquote")
    op.drop_index("ix_speakerpair_speaker_articles", table_name="speakerpair")
    op.create_index("ix_speakerentity_entity_id", "speakerentity", ["entity_id"])
    op.drop_index("ix_speakerentity_entity_quotes", table_name="speakerentity")
    op.drop_index("ix_quote_speaker_uncertain", table_name="quote")
    op.create_index("ix_quote_speaker_date", "quote", ["speaker_id", "article_date",
                                                       "article_id"])
    op.drop_index("ix_quote_speaker_list", table_name="quote")
