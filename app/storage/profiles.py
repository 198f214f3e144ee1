"""Read functions for speaker and entity pages: timelines, co-occurrence, similar quotes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, case, exists, func, or_
from sqlalchemy import select as sql_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.storage.keyset import Columns, plain
from app.storage.models import (
    Article,
    Correction,
    Entity,
    EntityCount,
    EntityMention,
    Quote,
    QuoteEcho,
    Speaker,
    SpeakerAlias,
    SpeakerCount,
    SpeakerEntity,
    SpeakerMonth,
    SpeakerPair,
    fold_key,
)
from app.storage.queries import (
    ENTITY_ARTICLES,
    SPEAKING_LABELS,
    ArticleTitle,
    EntityView,
    NotFound,
    QuoteRow,
)

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
    read from the aggregates the write path keeps (app/storage/aggregates.py), indexed reads
    whatever the archive's size, each statement built once."""
    p = {"sid": speaker.id, "limit": limit, "key": speaker.name_key}
    counts = session.execute(_COUNTS, p).first()
    quotes, articles = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    timeline = [(str(m), int(n)) for m, n in session.execute(_TIMELINE, p)]
    # The speaker's own name as an entity is left out (a few of those at most: read a few more).
    own = speaker.name.casefold()
    entities = [(e, n) for e, n in _pairs(session, _TALKS_ABOUT, _ENTITY, {**p, "limit": limit + 4})
                if e.name.casefold() != own][:limit]
    co = _pairs(session, _ALONGSIDE, _SPEAKER, p)
    # The entities that are this speaker (``get_entity`` sends their pages here) that
    # some quote mentions, with the number of those quotes, and who mentions them most (not
    # asked when no quote mentions them: nobody does; most speakers, one statement less).
    named_as = _pairs(session, _NAMED_AS, _ENTITY, p)
    mentioned_by = _pairs(session, _MENTIONED_BY, _SPEAKER, p) if named_as else []
    return SpeakerStats(quotes, articles, timeline, entities, co, named_as, mentioned_by)


_COUNTS = sql_select(col(SpeakerCount.quotes), col(SpeakerCount.articles)).where(
    col(SpeakerCount.speaker_id) == bindparam("sid"))
_TIMELINE = (sql_select(col(SpeakerMonth.month), col(SpeakerMonth.quotes))
             .where(col(SpeakerMonth.speaker_id) == bindparam("sid"))
             .order_by(col(SpeakerMonth.month)))
_ENTITY, _SPEAKER = Columns.of(Entity), Columns.of(Speaker)


def _pairs(session: Session | Connection, statement: Any, columns: Columns,
           params: dict[str, Any]) -> list[tuple[Any, int]]:
    """(an entity or a speaker as plain attributes, a count) of each row: its table's columns,
    then the count (no ORM instances: a speaker page reads ~40 of them)."""
    n = len(columns.names)
    return [(plain(columns.names, row[:n]), int(row[n]))
            for row in session.execute(statement, params)]


_TALKS_ABOUT = (sql_select(*_ENTITY.columns, col(SpeakerEntity.quotes))
                .join(SpeakerEntity, col(SpeakerEntity.entity_id) == Entity.id)
                .where(col(SpeakerEntity.speaker_id) == bindparam("sid"))
                .order_by(col(SpeakerEntity.quotes).desc(), col(Entity.name))
                .limit(bindparam("limit")))
_ALONGSIDE = (sql_select(*_SPEAKER.columns, col(SpeakerPair.articles))
              .join(SpeakerPair, col(SpeakerPair.other_id) == Speaker.id)
              .where(col(SpeakerPair.speaker_id) == bindparam("sid"))
              .order_by(col(SpeakerPair.articles).desc(), col(Speaker.name))
              .limit(bindparam("limit")))
_OWN = and_(col(Entity.name_key) == bindparam("key"), col(Entity.label).in_(SPEAKING_LABELS))
_NAMED_AS = (sql_select(*_ENTITY.columns, col(EntityCount.quotes))
             .join(EntityCount, col(EntityCount.entity_id) == Entity.id)
             .where(_OWN, col(EntityCount.quotes) > 0)
             .order_by(col(EntityCount.quotes).desc(), col(Entity.id)))
_N = func.sum(SpeakerEntity.quotes).label("n")
_MENTIONED_BY = (sql_select(*_SPEAKER.columns, _N)
                 .join(SpeakerEntity, col(SpeakerEntity.speaker_id) == Speaker.id)
                 .join(Entity, col(Entity.id) == SpeakerEntity.entity_id).where(_OWN)
                 .group_by(col(Speaker.id)).order_by(_N.desc(), col(Speaker.name))
                 .limit(bindparam("limit")))


def entity_speakers(db: Session | Connection, entity: Entity, limit: int = 10
                    ) -> list[tuple[Speaker, int]]:
    """Speakers whose quotes mention the entity most (from the aggregates)."""
    return _pairs(db, _MENTION_MOST, _SPEAKER, {"entity_id": entity.id, "limit": limit})


def get_entity(db: Session | Connection, slug: str, articles: int = ENTITY_ARTICLES
               ) -> EntityView:
    """An entity page: the entity and its number of quotes, the newest articles that mention
    it, and its speaker page if any (three indexed reads; its quotes are a list of their own,
    ``keyset.page``). The entity and the speaker as plain attributes (``keyset.Plain``), read
    on a session or, cheaper, on a connection (no ORM execution: ~0.1 ms a statement)."""
    found = db.execute(_ENTITY_BY_SLUG, {"slug": slug}).first()
    if found is None:
        raise NotFound("entity", slug)
    n = len(_ENTITY.names)
    entity, quotes = plain(_ENTITY.names, tuple(found)[:n]), found[n]
    newest = [ArticleTitle(aid, title) for aid, title in db.execute(
        _ENTITY_ARTICLES, {"entity_id": entity.id, "limit": articles})]
    # A person or organisation that also speaks (the same name, or a name merged into a
    # speaker) has one page, the speaker's; a place keeps its own.
    speaker = None
    if entity.label in SPEAKING_LABELS:
        row = db.execute(_SPEAKER_OF_ENTITY, {"key": fold_key(entity.name)}).first()
        speaker = plain(_SPEAKER.names, tuple(row)) if row is not None else None
    return EntityView(entity, newest, speaker, int(quotes or 0))


_ENTITY_BY_SLUG = (
    sql_select(*_ENTITY.columns, col(EntityCount.quotes))
    .outerjoin(EntityCount, col(EntityCount.entity_id) == Entity.id)
    .where(col(Entity.slug) == bindparam("slug"))
)
_ENTITY_ARTICLES: Any = (
    sql_select(col(Article.id), col(Article.title))
    .where(col(Article.id).in_(
        sql_select(col(EntityMention.article_id))
        .where(col(EntityMention.entity_id) == bindparam("entity_id"))
        .distinct().order_by(col(EntityMention.article_id).desc()).limit(bindparam("limit"))))
    .order_by(col(Article.id).desc())
)
# One statement: the speaker of the same name first, else the one the name was merged into.
_SPEAKER_OF_ENTITY = (
    sql_select(*_SPEAKER.columns)
    .where(or_(col(Speaker.name_key) == bindparam("key"), col(Speaker.id).in_(
        sql_select(col(SpeakerAlias.speaker_id))
        .where(col(SpeakerAlias.kind) == "merged",
               col(SpeakerAlias.text_key) == bindparam("key")))))
    .order_by(col(Speaker.name_key) != bindparam("key"), col(Speaker.id)).limit(1)
)


_MENTION_MOST = (sql_select(*_SPEAKER.columns, col(SpeakerEntity.quotes))
                 .join(SpeakerEntity, col(SpeakerEntity.speaker_id) == Speaker.id)
                 .where(col(SpeakerEntity.entity_id) == bindparam("entity_id"))
                 .order_by(col(SpeakerEntity.quotes).desc(), col(Speaker.name))
                 .limit(bindparam("limit")))


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
    return [QuoteRow(q, s, a) for q, a, s in session.exec(
        _ALSO_REPORTED, params={"quote_id": row.quote.id, "limit": limit}).all()]


@dataclass(frozen=True)
class Permalink:
    """What a quote's permalink page shows besides the quote itself."""

    row: QuoteRow
    #: An editor chose the quote's speaker (the machine's mention is then not shown).
    speaker_corrected: bool
    also: list[QuoteRow]
    #: ``quote_version`` of the quote, read in the same statement.
    version: str = ""


def read_permalink(engine: Engine, public_id: str) -> Permalink:
    """:func:`permalink` on a connection of ``engine`` (a page's one read: no ``Session``, no
    ORM execution of the statement, ~0.2 ms of CPU less a page on either database)."""
    with engine.connect() as connection:
        return permalink(connection, public_id)


def read_version(engine: Engine, public_id: str) -> str | None:
    """:func:`quote_version` on a connection of ``engine`` (as :func:`read_permalink`)."""
    with engine.connect() as connection:
        return quote_version(connection, public_id)


def permalink(db: Session | Connection, public_id: str) -> Permalink:
    """A quote's permalink page: the quote with its speaker and article, whether an editor
    chose its speaker, its "also reported in" links and its version (``quote_version``, for
    the ETag and the page cache), in one indexed read; then, only when there are some, those
    reports (one more). Raises NotFound."""
    found = db.execute(_PERMALINK, {"public_id": public_id}).first()
    if found is None:
        raise NotFound("quote", public_id)
    # The quote, article and speaker as plain attributes (``keyset.Plain``: read-only, no ORM
    # instances and identity-map state to build, a third of the read's cost).
    values = tuple(found)
    q_end = len(_P_QUOTE.names)
    a_end = q_end + len(_P_ARTICLE.names)
    s_end = a_end + len(_P_SPEAKER.names)
    quote = plain(_P_QUOTE.names, values[:q_end])
    article = plain(_P_ARTICLE.names, values[q_end:a_end])
    speaker = (plain(_P_SPEAKER.names, values[a_end:s_end])
               if values[a_end + _P_SPEAKER.names.index("id")] is not None else None)
    corrected, echoes, newest, hidden = values[s_end:]
    row = QuoteRow(quote, speaker, article)
    # The values ``_VERSION`` reads, in its order, from the objects read here.
    shown = tuple(getattr(quote, c) for c in _QUOTE_SHOWN) + (
        (speaker.name, speaker.slug) if speaker is not None else (None, None)) + tuple(
        getattr(article, c) for c in _ARTICLE_SHOWN) + (echoes, newest, hidden)
    return Permalink(row, bool(corrected), _also(db, row) if echoes else [], _digest(shown))


def _also(db: Session | Connection, row: QuoteRow) -> list[QuoteRow]:
    if isinstance(db, Session):
        return also_reported(db, row)
    with Session(bind=db) as session:  # ORM rows (a few quotes), on the page's connection
        return also_reported(session, row)


def quote_version(db: Session | Connection, public_id: str) -> str | None:
    """A digest of everything a quote's permalink page and share card show that can change
    (its speaker and how sure, kind, visibility, editor's check, article, "also reported in"
    links: how many, the newest, how many hidden): it changes with every correction. None for
    an unknown id. One indexed read, without the article's text."""
    row = db.execute(_VERSION, {"public_id": public_id}).first()
    if row is None:
        return None
    return _digest(tuple(row))


def _digest(values: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(values).encode()).hexdigest()[:24]


# The permalink's statements are built once (building one cost ~1 ms, running it ~0.05 ms).
_ECHO = Quote.__table__.alias("echo")  # type: ignore[attr-defined]


def _links(what: Any) -> Any:
    return (sql_select(what).select_from(QuoteEcho)
            .join(_ECHO, _ECHO.c.id == QuoteEcho.other_id)
            .where(col(QuoteEcho.quote_id) == col(Quote.id)).scalar_subquery())


_QUOTE_SHOWN = ("type", "hidden", "reviewed", "speaker_checked", "speaker_confidence",
                "speaker_mention", "speaker_id", "cue", "confidence")
_ARTICLE_SHOWN = ("title", "source", "url", "published_at", "licence", "attribution")
_ECHOES: list[Any] = [
    _links(func.count()), _links(func.max(QuoteEcho.other_id)),
    _links(func.sum(case((_ECHO.c.hidden.is_(True), 1), else_=0)))]
_SHOWN: list[Any] = [
    *(getattr(Quote, c) for c in _QUOTE_SHOWN), Speaker.name, Speaker.slug,
    *(getattr(Article, c) for c in _ARTICLE_SHOWN), *_ECHOES]
_VERSION = (
    sql_select(*_SHOWN)
    .join(Article, col(Article.id) == Quote.article_id)
    .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
    .where(col(Quote.public_id) == bindparam("public_id"))
)
_P_QUOTE, _P_SPEAKER = Columns.of(Quote), Columns.of(Speaker)
# The article as the page and its version show it (its text, not its processing state: on
# SQLite each timestamp read is a string parsed in Python).
_P_ARTICLE = Columns.of(Article, leave=("content_hash", "created_at", "status", "error",
                                        "attempts", "lease_until", "processed_at"))
_PERMALINK = (
    sql_select(*_P_QUOTE.columns, *_P_ARTICLE.columns, *_P_SPEAKER.columns,
           exists().where(col(Correction.quote_public_id) == Quote.public_id,
                          col(Correction.action) == "quote_speaker"),
           *_ECHOES)
    .join(Article, col(Article.id) == Quote.article_id)
    .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
    .where(col(Quote.public_id) == bindparam("public_id"))
)
_ALSO_REPORTED = (
    select(Quote, Article, Speaker)
    .join(QuoteEcho, col(QuoteEcho.other_id) == Quote.id)
    .join(Article, col(Article.id) == Quote.article_id)
    .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
    .where(col(QuoteEcho.quote_id) == bindparam("quote_id"), col(Quote.hidden).is_(False))
    .order_by(col(QuoteEcho.other_id).desc())
    .limit(bindparam("limit"))
    .options(defer(Article.text, raiseload=True))  # type: ignore[arg-type]
)
