"""Read functions for speaker and entity pages: timelines, co-occurrence, similar quotes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from app.storage.models import Article, Entity, EntityMention, Quote, Speaker
from app.storage.queries import QuoteRow, rows_for
from app.storage.search import month_of, newest_ids, words

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"


@dataclass(frozen=True)
class SpeakerStats:
    """Numbers and neighbours shown on a speaker page."""

    quotes: int
    articles: int
    timeline: list[tuple[str, int]]
    entities: list[tuple[Entity, int]]
    co_speakers: list[tuple[Speaker, int]]


def _article_date() -> object:
    return func.coalesce(col(Article.published_at), col(Article.created_at))


def speaker_stats(session: Session, speaker: Speaker, limit: int = 10) -> SpeakerStats:
    """Quote and article counts, quotes per month, entities talked about, co-quoted speakers."""
    sid = speaker.id
    quotes = int(session.exec(
        select(func.count()).select_from(Quote).where(
            Quote.speaker_id == sid, col(Quote.hidden).is_(False))).one())
    articles = int(session.exec(
        select(func.count(func.distinct(Quote.article_id))).where(
            Quote.speaker_id == sid, col(Quote.hidden).is_(False))
    ).one())
    month = month_of(session, _article_date())
    timeline = [
        (str(m), int(n))
        for m, n in session.exec(
            select(month, func.count())
            .select_from(Quote)
            .join(Article, col(Article.id) == Quote.article_id)
            .where(Quote.speaker_id == sid, col(Quote.hidden).is_(False))
            .group_by(month)
            .order_by(month)
        ).all()
    ]
    n = func.count(func.distinct(col(Quote.id))).label("n")
    entities = [
        (e, int(c))
        for e, c in session.exec(
            select(Entity, n)
            .select_from(Quote)
            .join(EntityMention, and_(col(EntityMention.article_id) == Quote.article_id,
                                      col(EntityMention.start) >= Quote.start,
                                      col(EntityMention.end) <= Quote.end))
            .join(Entity, col(Entity.id) == EntityMention.entity_id)
            .where(Quote.speaker_id == sid, func.lower(Entity.name) != speaker.name.lower())
            .group_by(col(Entity.id))
            .order_by(n.desc(), col(Entity.name))
            .limit(limit)
        ).all()
    ]
    theirs = select(Quote.article_id).where(Quote.speaker_id == sid).distinct().subquery()
    shared = func.count(func.distinct(col(Quote.article_id))).label("shared")
    co = [
        (s, int(c))
        for s, c in session.exec(
            select(Speaker, shared)
            .join(Quote, col(Quote.speaker_id) == Speaker.id)
            .where(col(Quote.article_id).in_(select(theirs.c.article_id)), Speaker.id != sid)
            .group_by(col(Speaker.id))
            .order_by(shared.desc(), col(Speaker.name))
            .limit(limit)
        ).all()
    ]
    return SpeakerStats(quotes, articles, timeline, entities, co)


def entity_speakers(session: Session, entity: Entity, limit: int = 10) -> list[tuple[Speaker, int]]:
    """Speakers whose quotes mention the entity most."""
    n = func.count(func.distinct(col(Quote.id))).label("n")
    return [
        (s, int(c))
        for s, c in session.exec(
            select(Speaker, n)
            .select_from(EntityMention)
            .join(Quote, and_(col(Quote.article_id) == EntityMention.article_id,
                              col(Quote.start) <= EntityMention.start,
                              col(Quote.end) >= EntityMention.end))
            .join(Speaker, col(Speaker.id) == Quote.speaker_id)
            .where(EntityMention.entity_id == entity.id)
            .group_by(col(Speaker.id))
            .order_by(n.desc(), col(Speaker.name))
            .limit(limit)
        ).all()
    ]


def speakers_by_initial(session: Session, initial: str) -> list[tuple[Speaker, int]]:
    """Speakers whose name starts with ``initial`` (A–Ö index), with their quote counts."""
    n = func.count(col(Quote.id)).label("n")
    rows = session.exec(
        select(Speaker, n)
        .join(Quote, col(Quote.speaker_id) == Speaker.id)
        .group_by(col(Speaker.id))
        .order_by(col(Speaker.name))
    ).all()
    # Initials are compared in Python: SQLite's upper() does not know å/ä/ö.
    return [(s, int(c)) for s, c in rows if s.name[:1].upper() == initial]


def also_reported(session: Session, row: QuoteRow, limit: int = 20) -> list[QuoteRow]:
    """The same or a near-identical quote in other articles (fuzzy match on the words)."""
    ws = words(row.quote.text)
    if len(ws) < 3:
        return []
    # The newest quotes sharing the first words as a phrase (one indexed query, unranked: a
    # quote is rarely reported 50 times), then a fuzzy comparison of the whole text.
    found = newest_ids(session, '"' + " ".join(ws[:8]) + '" ', 50)
    ids = [i for i in found if i != row.quote.id]
    if not ids:
        return []
    target = " ".join(ws)
    similar = [
        q for q in session.exec(select(Quote).where(
            col(Quote.id).in_(ids), Quote.article_id != row.quote.article_id,
            col(Quote.hidden).is_(False))).all()
        if difflib.SequenceMatcher(None, target, " ".join(words(q.text))).ratio() >= 0.8
    ]
    return rows_for(session, similar[:limit])
