"""Read functions for speaker and entity pages: timelines, co-occurrence, similar quotes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    TextClause,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    text,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.storage.db import DriverRead
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
    fold_key,
)
from app.storage.queries import (
    ENTITY_ARTICLES,
    SPEAKING_LABELS,
    ArticleTitle,
    EntityView,
    NotFound,
    QuoteRow,
    SpeakerView,
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


@dataclass(frozen=True)
class SpeakerProfile:
    """Everything a speaker page shows above its list of quotes."""

    view: SpeakerView
    stats: SpeakerStats
    #: How many of the speaker's visible quotes are uncertain attributions.
    uncertain: int


def speaker_profile(session: Session, slug: str, sure: float, limit: int = 10
                    ) -> SpeakerProfile:
    """The speaker with this slug, their mentions and roles, and their numbers and neighbours
    (``SpeakerStats``) and uncertain attributions: one statement (``_profile``), each part an
    indexed read of the aggregates the write path keeps (app/storage/aggregates.py), whatever
    the archive's size. Nine statements before: on PostgreSQL each cost ~0.2 ms of the
    server's CPU and more of the client's. Raises NotFound."""
    parts: dict[int, list[Any]] = {}
    for row in session.connection().execute(_profile(limit), {"slug": slug, "sure": sure}):
        parts.setdefault(int(row[0]), []).append(row)
    if not parts.get(_ME):
        raise NotFound("speaker", slug)
    for rows in parts.values():
        rows.sort(key=lambda r: int(r[1]))
    me = parts[_ME][0]
    speaker = plain(_SPEAKER_COLS, me[2:8])
    aliases = parts.get(_ALIAS, [])
    view = SpeakerView(speaker, [str(r[3]) for r in aliases if r[5] == "mention"],
                       [str(r[3]) for r in aliases if r[5] == "role"])

    def entities(part: int) -> list[tuple[Any, int]]:
        return [(plain(_ENTITY_COLS, r[2:7]), int(r[8])) for r in parts.get(part, [])]

    def speakers(part: int) -> list[tuple[Any, int]]:
        return [(plain(_SPEAKER_COLS, r[2:8]), int(r[8])) for r in parts.get(part, [])]

    # The speaker's own name as an entity is left out (a few of those at most: read a few more).
    own = speaker.name.casefold()
    named_as = entities(_NAMED_AS)
    stats = SpeakerStats(
        int(me[8] or 0), int(me[9] or 0),
        [(str(r[3]), int(r[8])) for r in parts.get(_MONTHS, [])],
        [(e, n) for e, n in entities(_TALKS_ABOUT) if e.name.casefold() != own][:limit],
        speakers(_ALONGSIDE), named_as,
        # Who mentions the entities that are this speaker most; nobody when no quote does.
        speakers(_MENTIONED_BY) if named_as else [])
    return SpeakerProfile(view, stats, int(parts[_UNCERTAIN][0][8]))


def speaker_stats(session: Session, speaker: Speaker, limit: int = 10) -> SpeakerStats:
    """Quote and article counts, quotes per month, entities talked about, co-quoted speakers
    (``speaker_profile``'s)."""
    return speaker_profile(session, speaker.slug, 1.0, limit).stats


# The parts of _profile's rows (its first column), each row: part, its place in its part, then
# an entity's or a speaker's columns (_ENTITY_COLS, _SPEAKER_COLS; an alias: id, text, -,
# kind; a month: -, month), then one or two numbers.
_ME, _UNCERTAIN, _ALIAS, _MONTHS, _TALKS_ABOUT, _ALONGSIDE, _NAMED_AS, _MENTIONED_BY = range(8)
_SPEAKER_COLS = ("id", "name", "slug", "kind", "name_key", "surname")
_ENTITY_COLS = ("id", "name", "slug", "label", "name_key")
_SPEAKERS_OWN = "e.name_key = (SELECT name_key FROM me) AND e.label IN ({})".format(  # noqa: S608
    ", ".join(f"'{label}'" for label in SPEAKING_LABELS))
# A typed NULL (PostgreSQL types a sub-select's bare NULL as text, which no UNION with an
# integer column accepts).
_INT, _STR = "CAST(NULL AS integer)", "CAST(NULL AS varchar)"
# An entity's (e) and a speaker's (o) columns in a row, in the order the rows are read back.
_E = ", ".join(f"e.{c}" for c in _ENTITY_COLS) + f", {_STR} AS surname"
_O = ", ".join(f"o.{c}" for c in _SPEAKER_COLS)
# Constants only are formatted in; every value is a bound parameter. The topics (talks): most
# quotes first, among equal counts the entity stored first (the id is in speakerentity's own
# row, so the rows shown are chosen before any entity is looked up; ordered by the entity's
# name, every entity tied at the cut-off was looked up first: hundreds a speaker at a million
# quotes, bench/README.md, branch pg1m3). The uncertain attributions: an index-only range
# of ix_quote_speaker_uncertain ("= false", not "IS false": PostgreSQL seeks an index only on
# the first).
_PROFILE = f"""
WITH me AS (SELECT id, name_key FROM speaker WHERE slug = :slug)
SELECT {_ME} AS part, 0 AS ord, s.id, s.name, s.slug, s.kind, s.name_key, s.surname,
       c.quotes AS n, c.articles AS m
FROM speaker s LEFT JOIN speakercount c ON c.speaker_id = s.id
WHERE s.id = (SELECT id FROM me)
UNION ALL
SELECT {_UNCERTAIN}, 0, NULL, NULL, NULL, NULL, NULL, NULL, (
  SELECT count(*) FROM quote WHERE speaker_id = (SELECT id FROM me) AND hidden = false
  AND speaker_checked = false AND speaker_confidence < :sure), NULL
UNION ALL
SELECT {_ALIAS}, a.id, a.id, a.text, NULL, a.kind, NULL, NULL, NULL, NULL
FROM speakeralias a WHERE a.speaker_id = (SELECT id FROM me)
UNION ALL
SELECT * FROM (
  SELECT {_MONTHS} AS part, row_number() OVER (ORDER BY m.month) AS ord, {_INT} AS id,
         m.month AS name, {_STR} AS slug, {_STR} AS kind, {_STR} AS name_key,
         {_STR} AS surname, m.quotes AS n, {_INT} AS m
  FROM speakermonth m WHERE m.speaker_id = (SELECT id FROM me)) AS months
UNION ALL
SELECT * FROM (
  SELECT {_TALKS_ABOUT} AS part,
         row_number() OVER (ORDER BY se.quotes DESC, se.entity_id) AS ord,
         {_E}, se.quotes AS n, {_INT} AS m
  FROM (SELECT entity_id, quotes FROM speakerentity
        WHERE speaker_id = (SELECT id FROM me)
        ORDER BY quotes DESC, entity_id LIMIT {{talks}}) AS se
  JOIN entity e ON e.id = se.entity_id) AS talks
UNION ALL
SELECT * FROM (
  SELECT {_ALONGSIDE} AS part, row_number() OVER (ORDER BY p.articles DESC, o.name) AS ord,
         {_O}, p.articles AS n, {_INT} AS m
  FROM speakerpair p JOIN speaker o ON o.id = p.other_id
  WHERE p.speaker_id = (SELECT id FROM me)
  ORDER BY p.articles DESC, o.name LIMIT {{limit}}) AS alongside
UNION ALL
SELECT * FROM (
  SELECT {_NAMED_AS} AS part, row_number() OVER (ORDER BY ec.quotes DESC, e.id) AS ord,
         {_E}, ec.quotes AS n, {_INT} AS m
  FROM entity e JOIN entitycount ec ON ec.entity_id = e.id
  WHERE {_SPEAKERS_OWN} AND ec.quotes > 0) AS named
UNION ALL
SELECT * FROM (
  SELECT {_MENTIONED_BY} AS part,
         row_number() OVER (ORDER BY sum(se.quotes) DESC, o.name) AS ord,
         {_O}, sum(se.quotes) AS n, {_INT} AS m
  FROM speaker o JOIN speakerentity se ON se.speaker_id = o.id
  JOIN entity e ON e.id = se.entity_id WHERE {_SPEAKERS_OWN} GROUP BY {_O}
  ORDER BY sum(se.quotes) DESC, o.name LIMIT {{limit}}) AS mentioned
"""  # noqa: S608


@lru_cache(maxsize=4)
def _profile(limit: int) -> TextClause:
    """``_PROFILE`` with its limits written in as numbers (the topics read four more: the
    speaker's own name may be among them). With placeholders PostgreSQL's generic plan of it
    guesses a tenth of the rows for each ``LIMIT`` and costs more than a planned one at a
    million quotes, so every request planned the statement anew (~0.8 ms of the server's
    CPU; ``pg_prepared_statements``: custom plans only); with numbers the prepared statement's
    generic plan is kept (bench/README.md, branch pg1m3)."""
    n = int(limit)
    return text(_PROFILE.format(limit=n, talks=n + 4))


_ENTITY, _SPEAKER = Columns.of(Entity), Columns.of(Speaker)


def _pairs(session: Session | Connection, statement: Any, columns: Columns,
           params: dict[str, Any]) -> list[tuple[Any, int]]:
    """(an entity or a speaker as plain attributes, a count) of each row: its table's columns,
    then the count (no ORM instances: a speaker page reads ~40 of them)."""
    n = len(columns.names)
    return [(plain(columns.names, row[:n]), int(row[n]))
            for row in session.execute(statement, params)]


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
# Two indexed reads under one LIMIT (ix_speaker_name_key, ix_speakeralias_kind_text_key):
# written as one WHERE with "name_key = :key OR id IN (…)", PostgreSQL read every speaker
# (an OR with a sub-select uses no index there: ~0.14 ms of server CPU an entity page at
# 1,840 speakers, growing with them). A speaker found both ways is the same row twice.
_SAME_NAME = (sql_select(*_SPEAKER.columns, literal_column("0").label("merged"))
              .where(col(Speaker.name_key) == bindparam("key")))
_MERGED_INTO = (sql_select(*_SPEAKER.columns, literal_column("1").label("merged"))
                .join(SpeakerAlias, col(SpeakerAlias.speaker_id) == Speaker.id)
                # The kind written in (a constant, not a parameter): PostgreSQL's generic
                # plan for a prepared statement then knows the index range is one kind's.
                .where(col(SpeakerAlias.kind) == literal_column("'merged'"),
                       col(SpeakerAlias.text_key) == bindparam("key")))
_FOUND = union_all(_SAME_NAME, _MERGED_INTO).subquery("found")
_SPEAKER_OF_ENTITY = (
    sql_select(*(_FOUND.c[name] for name in _SPEAKER.names))
    .order_by(_FOUND.c.merged, _FOUND.c.id).limit(1)
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
    ORM execution of the statement, ~0.2 ms of CPU less a page on either database), its
    statement run on the driver's cursor (``db.DriverRead``: ~0.05 ms less on SQLite, ~0.15-0.2
    ms on PostgreSQL) of a pooled connection checked out for it alone (``first_on``: no
    ``Connection``; on PostgreSQL prepared once a connection and run on psycopg's libpq
    connection, ~95 → ~40 µs of CPU a read); a quote with "also reported in" links has
    those read on a connection of their own."""
    found = _PERMALINK_READ.first_on(engine, public_id=public_id)
    if found is None or not found[-3]:  # no "also reported in" links: nothing more to read
        return _permalink(None, found, public_id)
    with engine.connect() as connection:
        return _permalink(connection, found, public_id)


def read_version(engine: Engine, public_id: str) -> str | None:
    """:func:`quote_version` on a connection of ``engine`` (as :func:`read_permalink`)."""
    found = _VERSION_READ.first_on(engine, public_id=public_id)
    return None if found is None else _digest(found)


def permalink(db: Session | Connection, public_id: str) -> Permalink:
    """A quote's permalink page: the quote with its speaker and article, whether an editor
    chose its speaker, its "also reported in" links and its version (``quote_version``, for
    the ETag and the page cache), in one indexed read; then, only when there are some, those
    reports (one more). Raises NotFound."""
    return _permalink(db, db.execute(_PERMALINK, {"public_id": public_id}).first(), public_id)


def _permalink(db: Session | Connection | None, found: Any, public_id: str) -> Permalink:
    """The page of the row ``found``; ``db`` reads its "also reported in" links (None: the
    row has none)."""
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


def _also(db: Session | Connection | None, row: QuoteRow) -> list[QuoteRow]:
    assert db is not None, "a row with links is read with a connection"
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
_PERMALINK_READ, _VERSION_READ = DriverRead(_PERMALINK), DriverRead(_VERSION)
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
