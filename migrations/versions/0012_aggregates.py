"""aggregate tables kept by the write path (speaker counts, months, entities, co-speakers,
entity counts) and the "also reported in" links, backfilled from the stored quotes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "speakercount",
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        _fk("speaker_id", "speaker.id"),
        sa.PrimaryKeyConstraint("speaker_id"),
    )
    op.create_table(
        "speakermonth",
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.AutoString(length=7), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        _fk("speaker_id", "speaker.id"),
        sa.PrimaryKeyConstraint("speaker_id", "month"),
    )
    op.create_table(
        "speakerentity",
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        _fk("speaker_id", "speaker.id"),
        _fk("entity_id", "entity.id"),
        sa.PrimaryKeyConstraint("speaker_id", "entity_id"),
    )
    op.create_index(op.f("ix_speakerentity_entity_id"), "speakerentity", ["entity_id"])
    op.create_table(
        "speakerpair",
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        _fk("speaker_id", "speaker.id"),
        _fk("other_id", "speaker.id"),
        sa.PrimaryKeyConstraint("speaker_id", "other_id"),
    )
    op.create_index(op.f("ix_speakerpair_other_id"), "speakerpair", ["other_id"])
    op.create_table(
        "entitycount",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        _fk("entity_id", "entity.id"),
        sa.PrimaryKeyConstraint("entity_id"),
    )
    op.create_table(
        "quoteecho",
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        _fk("quote_id", "quote.id"),
        _fk("other_id", "quote.id"),
        sa.PrimaryKeyConstraint("quote_id", "other_id"),
    )
    op.create_index(op.f("ix_quoteecho_other_id"), "quoteecho", ["other_id"])
    op.create_index("ix_entitymention_entity_article", "entitymention",
                    ["entity_id", "article_id"])
    with op.batch_alter_table("quote") as batch:
        batch.add_column(sa.Column("article_date", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE quote SET article_date = (SELECT coalesce(article.published_at, "
               "article.created_at) FROM article WHERE article.id = quote.article_id)")
    op.create_index("ix_quote_speaker_date", "quote", ["speaker_id", "article_date",
                                                       "article_id"])
    # Backfill from the stored quotes with the code that keeps them (GROUP BY recounts). The
    # echo links are found through the echo keys of 0021, which fills them.
    from app.storage.aggregates import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_entitymention_entity_article", table_name="entitymention")
    op.drop_index("ix_quote_speaker_date", table_name="quote")
    with op.batch_alter_table("quote") as batch:
        batch.drop_column("article_date")
    op.drop_index(op.f("ix_quoteecho_other_id"), table_name="quoteecho")
    op.drop_table("quoteecho")
    op.drop_table("entitycount")
    op.drop_index(op.f("ix_speakerpair_other_id"), table_name="speakerpair")
    op.drop_table("speakerpair")
    op.drop_index(op.f("ix_speakerentity_entity_id"), table_name="speakerentity")
    op.drop_table("speakerentity")
    op.drop_table("speakermonth")
    op.drop_table("speakercount")
