"""Index pages' reads: articles, entities, the date archive and the A–Ö speaker index.

Every count leaves hidden quotes ("not a quote") out, as the pages that list quotes do. Dates
are an article's publication date, or the day it was stored when it has none. Date bounds are
computed in Python and compared as timestamps, so the same query runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.storage.models import Article, Entity, EntityMention, Quote, Speaker

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"


@dataclass(frozen=True)
class ArticleCount:
    """An article with the number of its (visible) quotes."""

    article: Article
    quotes: int


def _quote_count() -> Any:
    return (select(func.count(col(Quote.id)))
            .where(col(Quote.article_id) == Article.id, col(Quote.hidden).is_(False))
            .correlate(Article).scalar_subquery())


def _day() -> Any:
    return func.coalesce(col(Article.published_at), col(Article.created_at))


def articles(session: Session, limit: int, offset: int = 0, source: str | None = None,
             start: date | None = None, end: date | None = None
             ) -> tuple[int, list[ArticleCount]]:
    """Stored articles, newest first (optionally from one source, or within [start, end)),
    with their quote counts, and how many there are in all."""
    where: list[Any] = [col(Article.status) == "done"]
    if source:
        where.append(col(Article.source) == source)
    if start is not None:
        where.append(_day() >= datetime(start.year, start.month, start.day, tzinfo=UTC))
    if end is not None:
        where.append(_day() < datetime(end.year, end.month, end.day, tzinfo=UTC))
    total = int(session.exec(select(func.count()).select_from(Article).where(*where)).one())
    n = _quote_count().label("n")
    rows = session.execute(
        select(Article, n).where(*where)
        .order_by(_day().desc(), col(Article.id).desc()).limit(limit).offset(offset)
    ).all()
    return total, [ArticleCount(a, int(c)) for a, c in rows]


def sources(session: Session) -> list[tuple[str, int]]:
    """Every source with its number of articles, most articles first."""
    n = func.count(col(Article.id)).label("n")
    rows = session.execute(
        select(col(Article.source), n).where(col(Article.source).is_not(None),
                                             col(Article.status) == "done")
        .group_by(col(Article.source)).order_by(n.desc(), col(Article.source))
    ).all()
    return [(str(s), int(c)) for s, c in rows]


def entities_by_kind(session: Session, per_kind: int = 200
                     ) -> dict[str, list[tuple[Entity, int]]]:
    """Entities grouped by label (PER, ORG, LOC, …), each with the number of articles that
    mention it, most mentioned first."""
    n = func.count(func.distinct(col(EntityMention.article_id))).label("n")
    rows = session.execute(
        select(Entity, n).join(EntityMention, col(EntityMention.entity_id) == Entity.id)
        .group_by(col(Entity.id)).order_by(col(Entity.label), n.desc(), col(Entity.name))
    ).all()
    out: dict[str, list[tuple[Entity, int]]] = {}
    for entity, count in rows:
        group = out.setdefault(entity.label, [])
        if len(group) < per_kind:
            group.append((entity, int(count)))
    return out


def month_days(session: Session, year: int, month: int) -> Counter[date]:
    """Articles per day of one month (days without articles are absent)."""
    start = date(year, month, 1)
    where = [col(Article.status) == "done",
             _day() >= datetime(start.year, start.month, 1, tzinfo=UTC)]
    if (year, month) < (date.max.year, 12):  # December 9999 has no month after it
        end = (start + timedelta(days=32)).replace(day=1)
        where.append(_day() < datetime(end.year, end.month, 1, tzinfo=UTC))
    days = session.execute(select(_day()).where(*where)).scalars().all()
    return Counter(_as_date(d) for d in days)


def months(session: Session) -> list[tuple[str, int]]:
    """Every month that has articles ("YYYY-MM"), newest first, with its article count."""
    days = session.execute(select(_day()).where(col(Article.status) == "done")).scalars().all()
    counts = Counter(_as_date(d).isoformat()[:7] for d in days)
    return sorted(counts.items(), reverse=True)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return (value if value.tzinfo is None else value.astimezone(UTC)).date()
    if isinstance(value, str):  # SQLite may hand back the stored text
        return datetime.fromisoformat(value).date()
    return value if isinstance(value, date) else date.min


def sort_key(speaker: Speaker) -> str:
    """Where a speaker is filed in the A–Ö index: people by surname, others by name."""
    return (speaker.surname if speaker.kind == "PER" and speaker.surname
            else speaker.name).casefold()


def initial_of(speaker: Speaker) -> str:
    """The index letter of a speaker ("Donald Trump" -> "T"); "#" for any other start."""
    first = sort_key(speaker)[:1].upper()
    return first if first in LETTERS else "#"


def speakers_by_surname(session: Session, initial: str) -> list[tuple[Speaker, int]]:
    """Speakers filed under ``initial`` (surname for people), A–Ö, with their quote counts."""
    n = func.count(col(Quote.id)).label("n")
    rows = session.exec(
        select(Speaker, n).join(Quote, col(Quote.speaker_id) == Speaker.id)
        .where(col(Quote.hidden).is_(False)).group_by(col(Speaker.id))
    ).all()
    chosen = [(s, int(c)) for s, c in rows if initial_of(s) == initial]
    return sorted(chosen, key=lambda sc: (_alpha(sort_key(sc[0])), sc[0].name))


def _alpha(text: str) -> list[int]:
    """Swedish alphabetical order (å, ä, ö after z)."""
    return [LETTERS.index(ch.upper()) if ch.upper() in LETTERS else 100 + ord(ch)
            for ch in text]
