"""Read functions for speaker and entity pages: timelines, co-occurrence, similar quotes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from app.storage.aggregates import echo_ids
from app.storage.models import (
    Entity,
    EntityCount,
    Speaker,
    SpeakerCount,
    SpeakerEntity,
    SpeakerMonth,
    SpeakerPair,
)
from app.storage.queries import SPEAKING_LABELS, QuoteRow, visible_rows

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"


@dataclass(frozen=True)
class SpeakerStats:
    """Numbers and neighbours shown on a speaker page."""

    quotes: int
    articles: int
    timeline: list[tuple[str, int]]
    entities: list[tuple[Entity, int]]
    co_speakers: list[tuple[Speaker, int]]
    #: The speaker as an entity (their name mentioned in others' quotes): each entity of
    #: their name with the number of quotes that mention it, and who mentions them most.
    named_as: list[tuple[Entity, int]]
    mentioned_by: list[tuple[Speaker, int]]


def speaker_stats(session: Session, speaker: Speaker, limit: int = 10) -> SpeakerStats:
    """Quote and article counts, quotes per month, entities talked about, co-quoted speakers:
    read from the aggregates the write path keeps (app/storage/aggregates.py), four indexed
    reads whatever the archive's size."""
    sid = speaker.id
    counts = session.exec(select(SpeakerCount.quotes, SpeakerCount.articles)
                          .where(SpeakerCount.speaker_id == sid)).first()
    quotes, articles = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    timeline = [(str(m), int(n)) for m, n in session.exec(
        select(SpeakerMonth.month, SpeakerMonth.quotes).where(SpeakerMonth.speaker_id == sid)
        .order_by(col(SpeakerMonth.month)))]
    # The speaker's own name as an entity is left out (a few of those at most: read a few more).
    own = speaker.name.casefold()
    entities = [(e, int(n)) for e, n in session.exec(
        select(Entity, SpeakerEntity.quotes)
        .join(SpeakerEntity, col(SpeakerEntity.entity_id) == Entity.id)
        .where(SpeakerEntity.speaker_id == sid)
        .order_by(col(SpeakerEntity.quotes).desc(), col(Entity.name))
        .limit(limit + 4)) if e.name.casefold() != own][:limit]
    co = [(s, int(n)) for s, n in session.exec(
        select(Speaker, SpeakerPair.articles)
        .join(SpeakerPair, col(SpeakerPair.other_id) == Speaker.id)
        .where(SpeakerPair.speaker_id == sid)
        .order_by(col(SpeakerPair.articles).desc(), col(Speaker.name))
        .limit(limit))]
    named_as, mentioned_by = _as_entity(session, speaker, limit)
    return SpeakerStats(quotes, articles, timeline, entities, co, named_as, mentioned_by)


def _as_entity(session: Session, speaker: Speaker, limit: int
               ) -> tuple[list[tuple[Entity, int]], list[tuple[Speaker, int]]]:
    """The entities that are this speaker (``queries.get_entity`` sends their pages here) that
    some quote mentions, with the number of those quotes, and the speakers whose quotes
    mention them most: two indexed reads."""
    own = and_(col(Entity.name_key) == speaker.name_key,
               col(Entity.label).in_(SPEAKING_LABELS))
    named_as = [(e, int(n)) for e, n in session.exec(
        select(Entity, EntityCount.quotes)
        .join(EntityCount, col(EntityCount.entity_id) == Entity.id)
        .where(own, col(EntityCount.quotes) > 0)
        .order_by(col(EntityCount.quotes).desc(), col(Entity.id)))]
    n = func.sum(SpeakerEntity.quotes).label("n")
    mentioned_by = [(s, int(k)) for s, k in session.exec(
        select(Speaker, n).join(SpeakerEntity, col(SpeakerEntity.speaker_id) == Speaker.id)
        .join(Entity, col(Entity.id) == SpeakerEntity.entity_id).where(own)
        .group_by(col(Speaker.id)).order_by(n.desc(), col(Speaker.name)).limit(limit))]
    return named_as, mentioned_by


def entity_speakers(session: Session, entity: Entity, limit: int = 10) -> list[tuple[Speaker, int]]:
    """Speakers whose quotes mention the entity most (from the aggregates)."""
    return [(s, int(n)) for s, n in session.exec(
        select(Speaker, SpeakerEntity.quotes)
        .join(SpeakerEntity, col(SpeakerEntity.speaker_id) == Speaker.id)
        .where(SpeakerEntity.entity_id == entity.id)
        .order_by(col(SpeakerEntity.quotes).desc(), col(Speaker.name))
        .limit(limit))]


def speakers_by_initial(session: Session, initial: str) -> list[tuple[Speaker, int]]:
    """Speakers whose name starts with ``initial`` (A–Ö index), with their quote counts."""
    rows = session.exec(
        select(Speaker, SpeakerCount.quotes)
        .join(SpeakerCount, col(SpeakerCount.speaker_id) == Speaker.id)
        .order_by(col(Speaker.name))
    ).all()
    # Initials are compared in Python: SQLite's upper() does not know å/ä/ö.
    return [(s, int(c)) for s, c in rows if s.name[:1].upper() == initial]


def also_reported(session: Session, row: QuoteRow, limit: int = 20) -> list[QuoteRow]:
    """The same or a near-identical quote in other articles: the links found when either
    quote was saved (``aggregates.link_echoes``), visible ones only, newest first."""
    assert row.quote.id is not None
    return visible_rows(session, echo_ids(session, row.quote.id, limit * 2))[:limit]
