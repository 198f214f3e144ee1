"""Every quote of a list as plain tuples, streamed for the CSV and JSON exports.

One SELECT of the exported columns (quote, its speaker by an outer join, its article's
metadata but never its text), read ``batch`` rows at a time: a server-side cursor on
PostgreSQL, the cursor itself on SQLite. No ORM objects and no OFFSET pages, so 100,000 quotes
cost one query and start arriving at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, col

from app.storage.browse import QuoteFilters, filtered, joins_article
from app.storage.models import Article, Quote, Speaker


class ExportRow(NamedTuple):
    """One exported quote."""

    public_id: str
    text: str
    type: str
    language: str
    speaker: str | None
    speaker_slug: str | None
    speaker_mention: str | None
    cue: str | None
    confidence: float
    speaker_confidence: float
    speaker_checked: bool
    article_id: int
    article_title: str | None
    source: str | None
    url: str | None
    published_at: datetime | None
    start: int
    end: int


def export_rows(session: Session, f: QuoteFilters, batch: int = 2000) -> Iterator[ExportRow]:
    """Every quote matching ``f``, in the list's order, as plain rows."""
    quotes, _ = filtered(session, f)
    if not joins_article(f):
        quotes = quotes.join(Article, col(Article.id) == Quote.article_id)
    stmt = quotes.outerjoin(Speaker, col(Speaker.id) == col(Quote.speaker_id)).with_only_columns(
        col(Quote.public_id), col(Quote.text), col(Quote.type), col(Quote.language),
        col(Speaker.name), col(Speaker.slug), col(Quote.speaker_mention), col(Quote.cue),
        col(Quote.confidence), col(Quote.speaker_confidence), col(Quote.speaker_checked),
        col(Quote.article_id), col(Article.title), col(Article.source),
        col(Article.url), col(Article.published_at), col(Quote.start), col(Quote.end),
        maintain_column_froms=False,
    )
    result = session.execute(stmt.execution_options(yield_per=batch, stream_results=True))
    for row in result:
        yield ExportRow(*row)
