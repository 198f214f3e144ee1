"""Every quote of a list, a batch of columns at a time, streamed for the CSV and JSON exports.

One SELECT of the exported columns (quote, its speaker by an outer join, its article's
metadata but never its text), read ``batch`` rows at a time with a cursor: server-side on
PostgreSQL, the cursor itself on SQLite. What SQL computes the same on both engines is computed
there, once per row in C: the permalink (``base`` + public id), ``speaker_status`` (a CASE on
CITAT_SPEAKER_SURE) and, for the CSV, the empty cell for a missing value, the text of a number
and the apostrophe that stops a spreadsheet from running a cell as a formula. Python formats
what only it formats the same on both engines, a column of a batch at a time (no Python call
per row): the two confidences (``f"{x:.3f}"`` / ``round(x, 3)``) and the publication date's
ISO form (once per article). The list's order has its own index (``ix_quote_list_order``,
migration 0015), so the rows are read in order instead of sorted first: 100,000 quotes
start arriving at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    case,
    cast,
    func,
    literal,
    or_,
    type_coerce,
)
from sqlmodel import Session, col

from app.storage.browse import QuoteFilters, filtered, joins_article
from app.storage.models import Article, Quote, Speaker, as_utc

#: The exported columns, in order (the CSV header; the JSON objects' keys).
COLUMNS = ("id", "permalink", "text", "type", "language", "speaker", "speaker_slug",
           "speaker_mention", "cue", "confidence", "speaker_confidence", "speaker_status",
           "article_id", "article_title", "source", "url", "published_at", "start", "end")
#: Where some of them sit in an exported row.
PERMALINK, CONFIDENCE, SPEAKER_CONFIDENCE, STATUS, PUBLISHED_AT = 1, 9, 10, 11, 16
#: The columns that may be NULL (speaker, slug, mention, cue, title, source, url, date) and
#: the whole numbers (article_id, start, end).
NULLABLE = frozenset({5, 6, 7, 8, 13, 14, 15, 16})
NUMBERS = frozenset({12, 17, 18})

#: A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _guarded(text: ColumnElement[Any]) -> ColumnElement[str]:
    """SQL: ``text`` with an apostrophe before a formula start (CSV injection)."""
    return case((func.substr(text, 1, 1).in_(FORMULA_STARTS), literal("'") + text),
                else_=text)


def _csv_cell(value: ColumnElement[Any], *, nullable: bool, number: bool) -> ColumnElement[str]:
    """SQL: a value as its CSV cell: empty for NULL, an apostrophe before a formula start (a
    whole number only when negative)."""
    if number:
        text = cast(value, String)
        return case((value < 0, literal("'") + text), else_=text)
    return _guarded(func.coalesce(value, "") if nullable else value)


def _status(sure: float) -> ColumnElement[str]:
    """SQL: certain / uncertain / unknown, as :func:`app.storage.certainty.status_of`."""
    return case(
        (col(Speaker.id).is_(None), "unknown"),
        (or_(col(Quote.speaker_checked).is_(True), col(Quote.speaker_confidence) >= sure),
         "certain"),
        else_="uncertain")


def _confidence_cells(values: Iterable[float]) -> list[str]:
    """Confidences as CSV cells: three decimals (an apostrophe before a minus)."""
    cells = list(map("{:.3f}".format, values))
    if "-" in "".join(cells):  # only a minus sign can put one there
        cells = ["'" + c if c[0] == "-" else c for c in cells]
    return cells


def _confidence_numbers(values: Iterable[float]) -> list[float]:
    """Confidences as JSON numbers: rounded to three decimals."""
    return list(map(round, values, repeat(3)))


def export_rows(
    session: Session, f: QuoteFilters, *, permalink_base: str, sure: float, for_csv: bool,
    batch: int = 1000,
) -> Iterator[list[Sequence[Any]]]:
    """Every quote matching ``f``, in the list's order, up to ``batch`` at a time, as the
    columns of :data:`COLUMNS` (a sequence of values per column). ``for_csv``: every value is
    its CSV cell's text (empty for a missing value; an apostrophe before a formula start;
    confidences with three decimals). Otherwise the values as stored (None for a missing
    one), the confidences rounded to three decimals and ``published_at`` in ISO 8601."""
    quotes, _ = filtered(session, f)
    if not joins_article(f):
        quotes = quotes.join(Article, col(Article.id) == Quote.article_id)
    values: list[Any] = [
        col(Quote.public_id), literal(permalink_base, String) + col(Quote.public_id),
        col(Quote.text), col(Quote.type), col(Quote.language), col(Speaker.name),
        col(Speaker.slug), col(Quote.speaker_mention), col(Quote.cue), col(Quote.confidence),
        col(Quote.speaker_confidence), _status(sure), col(Quote.article_id),
        col(Article.title), col(Article.source), col(Article.url),
        # As the driver gives it (SQLite: text), made ISO once per article below.
        type_coerce(col(Article.published_at), String), col(Quote.start), col(Quote.end)]
    if for_csv:
        # The permalink needs no guard of its own when the base does not start a formula;
        # speaker_status is one of three words.
        plain = {CONFIDENCE, SPEAKER_CONFIDENCE, STATUS, PUBLISHED_AT}
        if permalink_base and permalink_base[0] not in FORMULA_STARTS:
            plain.add(PERMALINK)
        values = [v if i in plain else _csv_cell(v, nullable=i in NULLABLE, number=i in NUMBERS)
                  for i, v in enumerate(values)]
    stmt = quotes.outerjoin(Speaker, col(Speaker.id) == col(Quote.speaker_id)).with_only_columns(
        *values, maintain_column_froms=False)
    connection = session.connection()
    result = connection.execute(stmt.execution_options(yield_per=batch, stream_results=True))
    iso = _iso_dates(connection.dialect, result.cursor.description[PUBLISHED_AT][1],
                     "" if for_csv else None)
    numbers = _confidence_cells if for_csv else _confidence_numbers
    try:
        for rows in result.partitions():
            # What SQL cannot format the same on both engines, a column at a time (an ISO
            # date never starts a formula: it starts with the year).
            columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
            columns[CONFIDENCE] = numbers(columns[CONFIDENCE])
            columns[SPEAKER_CONFIDENCE] = numbers(columns[SPEAKER_CONFIDENCE])
            columns[PUBLISHED_AT] = iso(columns[PUBLISHED_AT])
            yield columns
    finally:
        result.close()


def _iso_dates(dialect: Any, coltype: Any, missing: str | None
               ) -> Callable[[Iterable[Any]], list[str | None]]:
    """The driver's publication dates → ``datetime.isoformat()`` in UTC (SQLite stores text that
    SQLAlchemy parses; psycopg gives datetimes), each made once: the quotes of one article
    come one after another. ``missing`` stands for NULL."""
    parse = DateTime(timezone=True).dialect_impl(dialect).result_processor(dialect, coltype)
    seen: dict[Any, str | None] = {None: missing}
    unseen = object()

    def iso(values: Iterable[Any]) -> list[str | None]:
        if len(seen) > 4096:
            seen.clear()
            seen[None] = missing
        out: list[Any] = list(map(seen.get, values, repeat(unseen)))
        if unseen in out:
            for i, value in enumerate(values):
                if out[i] is unseen:
                    when: Any = as_utc(parse(value) if parse else value)
                    seen[value] = out[i] = when.isoformat()
        return out

    return iso
