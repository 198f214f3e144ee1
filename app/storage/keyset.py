"""A speaker's or an entity's quotes, newest first, a page at a time on an index (keyset
pagination).

A list's order is the article's date (newest first), the article (newest id first), the
quote's place in it, then the quote's id. A page is the next ``limit`` rows of an index in
exactly that order after the last row shown (``after``) or before the first (``before``): the
cost of a page is the same on page 1 and page 5,000, where ``LIMIT … OFFSET`` reads and throws
away every row before it. A speaker's quotes are read off ``ix_quote_speaker_list``, an
entity's off ``ix_entityquote_list`` (the quotes that mention it, kept by the write path).

The cursor is the last (or first) row's place in that order, written into the page's links
(:meth:`Cursor.encode`). An old ``?page=N`` address still works: it skips ``(N - 1) × limit``
entries of the same index without reading any row (:func:`speaker_quotes`' ``offset``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, false, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from app.storage.models import Article, EntityQuote, Quote, Speaker
from app.storage.queries import QuoteRow

_CURSOR = re.compile(r"^(\d{20})\.(\d{1,10})\.(\d{1,10})\.(\d{1,10})$")
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Cursor:
    """A row's place in list order: its article's date (UTC), article id, start, quote id."""

    article_date: datetime
    article_id: int
    start: int
    id: int

    def encode(self) -> str:
        """The cursor as it goes in a URL: ``20250227120000000000.412.1031.9876``."""
        day = self.article_date
        if day.tzinfo is not None:
            day = day.astimezone(UTC).replace(tzinfo=None)
        return f"{day:%Y%m%d%H%M%S%f}.{self.article_id}.{self.start}.{self.id}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        """The cursor a URL holds; None for anything else (the first page is shown)."""
        m = _CURSOR.match(value)
        if m is None:
            return None
        try:
            day = datetime.strptime(m.group(1), "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
        except ValueError:
            return None
        numbers = [int(m.group(i)) for i in (2, 3, 4)]
        if any(n > _MAX_ID for n in numbers):
            return None
        return cls(day, *numbers)

    @classmethod
    def of(cls, quote: Quote) -> Cursor:
        """The place of a quote (read from the database) in list order."""
        assert quote.article_date is not None and quote.id is not None
        return cls(quote.article_date, quote.article_id, quote.start, quote.id)


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list, its total and the cursors of the pages around it."""

    items: list[QuoteRow]
    total: int
    #: The next page starts after this row; None on the last page.
    after: Cursor | None
    #: The previous page ends before this row; None on the first page.
    before: Cursor | None


@dataclass(frozen=True)
class _List:
    """Where a list's rows and order live: the table whose index holds the order, its four
    order columns, the column that joins it to the quote, and its filter."""

    table: Any
    order: tuple[Any, Any, Any, Any]  # article_date, article_id, start, quote id
    quote_id: Any
    where: Any


def _speaker_list() -> _List:
    return _List(Quote, (col(Quote.article_date), col(Quote.article_id), col(Quote.start),
                         col(Quote.id)), col(Quote.id),
                 and_(col(Quote.speaker_id) == bindparam("key"), col(Quote.hidden) == false()))


def _entity_list() -> _List:
    e = EntityQuote
    return _List(e, (col(e.article_date), col(e.article_id), col(e.start), col(e.quote_id)),
                 col(e.quote_id), col(e.entity_id) == bindparam("key"))


_LISTS = {"speaker": _speaker_list, "entity": _entity_list}


def _past(order: tuple[Any, Any, Any, Any], forward: bool) -> ColumnElement[bool]:
    """Rows after the bound cursor in list order (``forward``) or before it, with the date's
    bound as a range of its own so the index seeks to it."""
    day, article, start, qid = order
    d: Any = bindparam("c_day")
    a: Any = bindparam("c_article")
    s: Any = bindparam("c_start")
    i: Any = bindparam("c_id")
    if forward:  # date and article descending, start and id ascending
        rest = or_(day < d, and_(day == d, or_(article < a, and_(article == a, or_(
            start > s, and_(start == s, qid > i))))))
        return and_(day <= d, rest)
    rest = or_(day > d, and_(day == d, or_(article > a, and_(article == a, or_(
        start < s, and_(start == s, qid < i))))))
    return and_(day >= d, rest)


@cache
def _statement(kind: str, direction: str) -> Any:
    """The statement of one page of a list (built once per kind): ``first``, ``after``,
    ``before`` (read in reverse order) or ``skip`` (the ids of a page ``OFFSET`` rows in,
    read off the index alone)."""
    spec = _LISTS[kind]()
    day, article, start, qid = spec.order
    forward = (day.desc(), article.desc(), start, qid)
    if direction == "skip":
        return (sql_select(spec.quote_id).select_from(spec.table).where(spec.where)
                .order_by(*forward).limit(bindparam("limit")).offset(bindparam("offset")))
    stmt = sql_select(*_QUOTE.columns, *_ARTICLE.columns, *_SPEAKER.columns)
    if spec.table is not Quote:
        stmt = stmt.select_from(spec.table).join(Quote, col(Quote.id) == spec.quote_id)
    stmt = (stmt.join(Article, col(Article.id) == Quote.article_id)
            .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
            .where(spec.where, col(Quote.hidden) == false()))
    if direction == "first":
        stmt = stmt.order_by(*forward)
    elif direction == "after":
        stmt = stmt.where(_past(spec.order, True)).order_by(*forward)
    else:
        stmt = stmt.where(_past(spec.order, False)).order_by(
            day, article, start.desc(), qid.desc())
    # The limit written into the statement as a number when it runs (``literal_execute``): with
    # a placeholder PostgreSQL's generic plan of the prepared statement guesses a tenth of the
    # rows for the ``LIMIT``, costs more than a planned one at a million quotes, and every page
    # was planned anew (``pg_prepared_statements``: custom plans only; as ``profiles._profile``).
    return stmt.limit(bindparam("limit", type_=Integer, literal_execute=True))


class Plain:
    """A quote, article or speaker of a list page as plain attributes: the columns read, no ORM
    object (building three per row, with their pydantic and identity-map state, cost more than
    the page's SQL). Read-only in use: nothing is written back through them."""

    def __repr__(self) -> str:
        return f"Plain({self.__dict__!r})"


@dataclass(frozen=True)
class Columns:
    """The columns a list page reads of one table (the article's text is not among them)."""

    columns: tuple[Any, ...]
    names: tuple[str, ...]

    @classmethod
    def of(cls, model: Any, leave: tuple[str, ...] = ()) -> Columns:
        columns = tuple(c for c in model.__table__.columns if c.key not in leave)
        return cls(columns, tuple(c.key for c in columns))


_QUOTE = Columns.of(Quote)
_ARTICLE = Columns.of(Article, leave=("text",))
_SPEAKER = Columns.of(Speaker)


def plain(names: tuple[str, ...], values: Any) -> Any:
    obj = Plain()
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def _rows(session: Session, kind: str, direction: str, params: dict[str, Any]) -> list[QuoteRow]:
    return _plain_rows(session, _statement(kind, direction), params)


def _plain_rows(session: Session, statement: Any, params: dict[str, Any]) -> list[QuoteRow]:
    """The rows of a statement reading ``_QUOTE``, ``_ARTICLE`` and ``_SPEAKER``'s columns, as
    plain quotes, articles and speakers."""
    q_names, a_names, s_names = _QUOTE.names, _ARTICLE.names, _SPEAKER.names
    a_at = len(q_names)
    s_at = a_at + len(a_names)
    s_id = s_at + s_names.index("id")  # None: no speaker (an outer join)
    out: list[QuoteRow] = []
    # On the session's connection (Core): the ORM's execution path (its compile and result
    # context, every row through a row processor) cost as much as reading the rows.
    for row in session.connection().execute(statement, params).all():
        speaker = plain(s_names, row[s_at:]) if row[s_id] is not None else None
        out.append(QuoteRow(plain(q_names, row[:a_at]), speaker,
                            plain(a_names, row[a_at:s_at])))
    return out


def rows_by_ids(session: Session, ids: list[int]) -> list[QuoteRow]:
    """The visible quotes with these ids, in the order of ``ids``, each with its article
    (without its text) and speaker, as plain rows (one statement; a result list's twenty
    rows as ORM objects cost ~1 ms of a search page)."""
    if not ids:
        return []
    by_id = {r.quote.id: r for r in _plain_rows(session, _BY_IDS, {"ids": ids})}
    return [by_id[i] for i in ids if i in by_id]


_BY_IDS = (sql_select(*_QUOTE.columns, *_ARTICLE.columns, *_SPEAKER.columns)
           .join(Article, col(Article.id) == Quote.article_id)
           .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
           .where(col(Quote.id).in_(bindparam("ids", expanding=True)),
                  col(Quote.hidden) == false()))


def page(session: Session, kind: str, key: int, total: int, limit: int, *,
         after: Cursor | None = None, before: Cursor | None = None, offset: int = 0
         ) -> KeysetPage:
    """One page of the ``kind`` list (``speaker`` or ``entity``) of the speaker or entity with
    id ``key``, which holds ``total`` rows (from the kept counts): the first page, the page
    after or before a cursor, or (an old ``?page=N``) the page ``offset`` rows in."""
    params: dict[str, Any] = {"key": key, "limit": limit + 1}
    cursor = after or before
    if cursor is not None:
        params.update(c_day=cursor.article_date, c_article=cursor.article_id,
                      c_start=cursor.start, c_id=cursor.id)
    if before is not None:
        rows = _rows(session, kind, "before", params)
        if len(rows) <= limit:  # back at the start: the first page, full
            return page(session, kind, key, total, limit)
        rows = rows[:limit][::-1]
        return KeysetPage(rows, total, Cursor.of(rows[-1].quote), Cursor.of(rows[0].quote))
    if after is not None:
        rows = _rows(session, kind, "after", params)
    elif offset > 0:
        ids = [int(i) for i in session.execute(
            _statement(kind, "skip"), {"key": key, "limit": limit + 1, "offset": offset})
            .scalars()]
        rows = rows_by_ids(session, ids)
    else:
        rows = _rows(session, kind, "first", params)
    more_after = len(rows) > limit
    rows = rows[:limit]
    earlier = bool(rows) and (after is not None or offset > 0)
    return KeysetPage(rows, total, Cursor.of(rows[-1].quote) if rows and more_after else None,
                      Cursor.of(rows[0].quote) if earlier else None)
