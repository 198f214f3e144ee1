"""Search: lemmas, Swedish compound parts and names in the full-text index; every quote reindexed.

SQLite: ``quote_fts`` gets the columns ``extra`` (lemma and compound-part stems) and ``names``
(the speaker's and the mentioned entities' names) and a weighted bm25 rank; PostgreSQL: the
``quote_search`` tsvector gets the same words with weights (body D, extra C, names A).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlmodel import Session

from app.storage.search import FTS5_DDL, FTS5_RANK_CONFIG, Indexable, index_body, index_quotes

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


class _Row:
    """A quote as the index reads it (plain values, no ORM: the model may be ahead)."""

    def __init__(self, id: int, text: str, language: str) -> None:
        self.id, self.text, self.language, self.hidden = id, text, language, False


def _reindex(session: Session) -> None:
    last = 0
    while True:
        rows = session.execute(text(
            "SELECT id, text, language FROM quote WHERE hidden = :f AND id > :last "
            "ORDER BY id LIMIT :n"), {"f": False, "last": last, "n": BATCH}).all()
        if not rows:
            return
        batch: list[Indexable] = [_Row(int(r[0]), str(r[1]), str(r[2])) for r in rows]
        index_quotes(session, batch, fresh=True)
        last = int(rows[-1][0])


def upgrade() -> None:
    bind = op.get_bind()
    session = Session(bind=bind)
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS quote_fts")
        op.execute(FTS5_DDL)
        op.execute(FTS5_RANK_CONFIG)
    else:
        op.execute("DELETE FROM quote_search")
    _reindex(session)
    session.flush()
    if bind.dialect.name == "sqlite":
        op.execute("INSERT INTO quote_fts(quote_fts) VALUES ('optimize')")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS quote_fts")
        op.execute("CREATE VIRTUAL TABLE quote_fts USING fts5("
                   "body, tokenize = 'unicode61 remove_diacritics 0')")
        rows = bind.execute(text("SELECT id, text, language FROM quote WHERE hidden = 0")).all()
        if rows:
            bind.execute(text("INSERT INTO quote_fts(rowid, body) VALUES (:id, :body)"),
                         [{"id": r[0], "body": index_body(r[1], r[2])} for r in rows])
    # PostgreSQL keeps the weighted vectors: the same words still match.
