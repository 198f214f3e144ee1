"""Named read functions the pages and the API need. They raise NotFound."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, func, union
from sqlalchemy import select as sql_select
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.storage.models import (
    Article,
    Entity,
    EntityMention,
    Quote,
    Speaker,
    SpeakerAlias,
    SpeakerCount,
    fold_key,
    like_escape,
)
from app.storage.name_index import NameIndex
from app.storage.search import name_candidates


class NotFound(LookupError):
    """The requested object does not exist."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key!r} not found")
        self.what = what
        self.key = key


@dataclass(frozen=True)
class QuoteRow:
    """A quote with what is shown beside it everywhere."""

    quote: Quote
    speaker: Speaker | None
    article: Article


@dataclass(frozen=True)
class Page:
    """One page of results and the total count."""

    items: list[QuoteRow]
    total: int
    limit: int
    offset: int
    #: ``total`` is an estimate (a text search with more matches than it counts exactly).
    estimated: bool = False
    #: A text search's newest matches (ids, newest first), read with the page: the facets
    #: are counted over them (``browse.facets_of``) without searching again (None: not read).
    newest: tuple[int, ...] | None = None


@dataclass(frozen=True)
class SpeakerView:
    """A speaker with the mentions and roles seen."""

    speaker: Speaker
    mentions: list[str]
    roles: list[str]


@dataclass(frozen=True)
class ArticleView:
    """An article with its quotes and entity mentions in text order."""

    article: Article
    quotes: list[QuoteRow]
    mentions: list[tuple[EntityMention, Entity]] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleTitle:
    """An article as a list of them shows it: its id and title (its row's other columns, and
    an ORM instance, are not read)."""

    id: int
    title: str | None


@dataclass(frozen=True)
class EntityView:
    """An entity, the newest articles that mention it, and its speaker (when it speaks)."""

    entity: Entity
    articles: list[ArticleTitle]
    speaker: Speaker | None
    #: How many visible quotes mention it (the kept count, ``EntityCount``).
    quotes: int = 0


def rows_for(session: Session, quotes: list[Quote]) -> list[QuoteRow]:
    """Attach speakers and articles with two queries (no N+1)."""
    speaker_ids = {q.speaker_id for q in quotes if q.speaker_id is not None}
    article_ids = {q.article_id for q in quotes}
    speakers = {
        s.id: s
        for s in session.exec(select(Speaker).where(col(Speaker.id).in_(speaker_ids))).all()
    } if speaker_ids else {}
    articles = {
        a.id: a
        for a in session.exec(select(Article).where(col(Article.id).in_(article_ids))).all()
    } if article_ids else {}
    return [
        QuoteRow(q, speakers.get(q.speaker_id) if q.speaker_id else None, articles[q.article_id])
        for q in quotes
    ]


def _with_article_and_speaker() -> Select[Quote, Article, Speaker]:
    """A select of (Quote, Article, Speaker) rows: each quote joined to its article and,
    when it has one, its speaker."""
    return (select(Quote, Article, Speaker)
            .join(Article, col(Article.id) == Quote.article_id)
            .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id))


def visible_rows(session: Session, ids: list[int]) -> list[QuoteRow]:
    """The visible quotes with these ids, in the order of ``ids``, for a result list.

    One query joins each quote to its article and speaker (``rows_for`` takes three), and
    the article's text, which no result list shows, is not read: touching it raises rather
    than loading it row by row.
    """
    if not ids:
        return []
    by_id = {q.id: QuoteRow(q, s, a)
             for q, a, s in session.exec(_VISIBLE_BY_IDS, params={"ids": ids}).all()}
    return [by_id[i] for i in ids if i in by_id]


_VISIBLE_BY_IDS = (
    _with_article_and_speaker()
    .where(col(Quote.id).in_(bindparam("ids", expanding=True)), col(Quote.hidden).is_(False))
    .options(defer(Article.text, raiseload=True))  # type: ignore[arg-type]
)


def count_articles(session: Session) -> int:
    """How many articles are stored."""
    return int(session.exec(select(func.count()).select_from(Article)).one())


def latest_quotes(session: Session, limit: int = 10) -> list[QuoteRow]:
    """The newest quotes (by article publication, then ingest order)."""
    stmt = (
        select(Quote)
        .join(Article, col(Article.id) == Quote.article_id)
        .where(col(Quote.hidden).is_(False))
        .order_by(
            col(Article.published_at).desc().nulls_last(),
            col(Article.id).desc(),
            col(Quote.start),
        )
        .limit(limit)
    )
    return rows_for(session, list(session.exec(stmt).all()))


def top_speakers(session: Session, limit: int = 10, offset: int = 0) -> list[tuple[Speaker, int]]:
    """Speakers with the most visible quotes (from the kept counts, ``SpeakerCount``)."""
    stmt = (
        select(Speaker, SpeakerCount.quotes)
        .join(SpeakerCount, col(SpeakerCount.speaker_id) == Speaker.id)
        .order_by(col(SpeakerCount.quotes).desc(), col(Speaker.name))
        .limit(limit)
        .offset(offset)
    )
    return [(s, int(c)) for s, c in session.exec(stmt).all()]


def count_speakers(session: Session) -> int:
    """How many speakers have at least one visible quote."""
    return int(session.exec(select(func.count()).select_from(SpeakerCount)).one())


def count_quotes(session: Session, article_id: int | None = None) -> int:
    """How many quotes are stored (in one article, when given)."""
    stmt = select(func.count()).select_from(Quote)
    if article_id is not None:
        stmt = stmt.where(Quote.article_id == article_id)
    return int(session.exec(stmt).one())


# Built once: building a statement costs more than running it (~1 ms against ~0.1 ms for a
# permalink's reads), and SQLAlchemy caches the compiled SQL of a statement built once.
_QUOTE_BY_PUBLIC_ID = _with_article_and_speaker().where(
    col(Quote.public_id) == bindparam("public_id"))


def get_quote(session: Session, public_id: str) -> QuoteRow:
    """The quote with this permalink id, with its speaker and article (one query)."""
    found = session.exec(_QUOTE_BY_PUBLIC_ID, params={"public_id": public_id}).first()
    if found is None:
        raise NotFound("quote", public_id)
    quote, article, speaker = found
    return QuoteRow(quote, speaker, article)


def get_speaker(session: Session, slug: str) -> SpeakerView:
    """A speaker: canonical name, mentions and roles."""
    speaker = session.exec(_SPEAKER_BY_SLUG, params={"slug": slug}).first()
    if speaker is None:
        raise NotFound("speaker", slug)
    aliases = session.execute(_ALIASES, {"speaker_id": speaker.id}).all()
    mentions = [text for kind, text in aliases if kind == "mention"]
    roles = [text for kind, text in aliases if kind == "role"]
    return SpeakerView(speaker, mentions, roles)


_SPEAKER_BY_SLUG = select(Speaker).where(col(Speaker.slug) == bindparam("slug"))
_ALIASES = (sql_select(col(SpeakerAlias.kind), col(SpeakerAlias.text))
            .where(col(SpeakerAlias.speaker_id) == bindparam("speaker_id"))
            .order_by(col(SpeakerAlias.id)))


def get_article(session: Session, article_id: int) -> ArticleView:
    """An article with its quotes (each with its speaker) and entity mentions: three indexed
    reads, their statements built once."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound("article", article_id)
    p = {"article_id": article_id}
    quotes = [QuoteRow(q, s, article) for q, s in session.exec(_ARTICLE_QUOTES, params=p).all()]
    mentions = session.exec(_ARTICLE_MENTIONS, params=p).all()
    return ArticleView(article, quotes, [(m, e) for m, e in mentions])


_ARTICLE_QUOTES = (select(Quote, Speaker)
                   .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
                   .where(col(Quote.article_id) == bindparam("article_id"),
                          col(Quote.hidden).is_(False))
                   .order_by(col(Quote.start)))
_ARTICLE_MENTIONS = (select(EntityMention, Entity)
                     .join(Entity, col(Entity.id) == EntityMention.entity_id)
                     .where(col(EntityMention.article_id) == bindparam("article_id"))
                     .order_by(col(EntityMention.start)))


#: Articles listed on an entity's page (the newest that mention it).
ENTITY_ARTICLES = 20


#: Entities of these labels are the speaker of the same (casefolded) name, if there is one:
#: their page is the speaker's (``profiles.get_entity``, ``profiles.speaker_stats``).
SPEAKING_LABELS = ("PER", "ORG")


def find_article_by_hash(session: Session, content_hash: str) -> Article | None:
    """The article with this content hash, if stored."""
    return session.exec(select(Article).where(Article.content_hash == content_hash)).first()


def stored_hashes(session: Session, hashes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(id, status) of the stored articles among these content hashes, 500 a query (a bulk
    ingest asks for a whole window of files at once, never reading their text)."""
    wanted = sorted(set(hashes))
    found: dict[str, tuple[int, str]] = {}
    for i in range(0, len(wanted), 500):
        for h, aid, status in session.exec(
            select(Article.content_hash, Article.id, Article.status)
            .where(col(Article.content_hash).in_(wanted[i:i + 500]))
        ):
            if aid is not None:
                found[h] = (aid, status)
    return found


def find_by_name(
    session: Session, text: str, limit: int = 5, names: NameIndex | None = None
) -> tuple[list[Speaker], list[Entity]]:
    """Speakers (by name or any mention) and entities whose name contains ``text``.

    Matched on the casefolded keys (``fold_key``), so "åsa" finds "Åsa Öberg" on every
    engine; on PostgreSQL the trigram indexes of migration 0007 serve the substring match;
    with ``names`` (every name in memory) no name is read but the ones found.
    """
    text = " ".join(text.replace('"', " ").split())[:100]
    if len(text) < 2:
        return [], []
    if names is not None:
        speaker_ids, entity_ids = names.containing(fold_key(text), limit)
        return _by_ids(session, Speaker, speaker_ids), _by_ids(session, Entity, entity_ids)
    pattern = f"%{like_escape(fold_key(text))}%"
    named: CompoundSelect[tuple[int | None]] = union(
        select(Speaker.id).where(col(Speaker.name_key).like(pattern, escape="\\")),
        select(SpeakerAlias.speaker_id).where(
            col(SpeakerAlias.text_key).like(pattern, escape="\\")),
    )
    speakers = list(session.exec(
        select(Speaker)
        .where(col(Speaker.id).in_(named))
        .order_by(col(Speaker.name))
        .limit(limit)
    ).all())
    entities = list(session.exec(
        select(Entity)
        .where(col(Entity.name_key).like(pattern, escape="\\"))
        .order_by(col(Entity.name))
        .limit(limit)
    ).all())
    return speakers, entities


def _by_ids(session: Session, model: type[Speaker] | type[Entity], ids: list[int]) -> list[Any]:
    """The rows with these ids, in this order, as plain rows (``keyset.plain``: every column,
    no ORM object: through the ORM the search page's name box cost ~0.28 ms a search, now
    ~0.19)."""
    if not ids:
        return []
    from app.storage.keyset import Columns, plain  # keyset imports this module

    read = Columns.of(model)
    key: Any = model.id
    rows = session.connection().execute(sql_select(*read.columns).where(key.in_(ids)))
    at = read.names.index("id")
    found = {r[at]: plain(read.names, r) for r in rows.all()}
    return [found[i] for i in ids if i in found]


def status_counts(session: Session) -> dict[str, int]:
    """How many articles are in each processing state."""
    rows = session.exec(select(Article.status, func.count()).group_by(col(Article.status))).all()
    return {str(s): int(n) for s, n in rows}


def failed_articles(session: Session, limit: int = 100) -> list[Article]:
    """Articles whose extraction failed, newest first."""
    return list(session.exec(
        select(Article).where(Article.status == "failed").order_by(col(Article.id).desc())
        .limit(limit)
    ).all())


@dataclass(frozen=True)
class NamedSpeaker:
    """A speaker the search box's text names, with their number of quotes; ``fuzzy`` when
    found by a misspelt name (offered as "did you mean")."""

    speaker: Speaker
    quotes: int
    fuzzy: bool = False


FUZZY_CUTOFF = 80  # RapidFuzz ratio (0-100) for a misspelt name: lavrof ~ lavrov 83


def named_speakers(session: Session, text: str, limit: int = 3,
                   names: NameIndex | None = None) -> list[NamedSpeaker]:
    """The speakers whose full name, surname or a mention is exactly ``text`` (casefolded),
    or, when none is, whose name or surname is within a few typos of it (RapidFuzz edit
    ratio), most quoted first (``names``: matched in memory, see ``name_index``)."""
    key = fold_key(" ".join(text.replace('"', " ").split()))[:100]
    if len(key) < 2:
        return []
    if names is not None:
        ids = names.speakers_named(key)
    else:
        exact: CompoundSelect[tuple[int | None]] = union(
            select(Speaker.id).where(col(Speaker.name_key) == key),
            select(Speaker.id).where(col(Speaker.surname) == key),
            select(SpeakerAlias.speaker_id).where(col(SpeakerAlias.text_key) == key,
                                                  SpeakerAlias.kind == "mention"),
        )
        ids = [i for (i,) in session.execute(exact) if i is not None]
    fuzzy = False
    if not ids and len(key) >= 4:
        ids = (names.speakers_like(key, FUZZY_CUTOFF) if names is not None
               else _fuzzy_speakers(session, key))
        fuzzy = True
    if not ids:
        return []
    from app.storage.keyset import Columns, plain  # keyset imports this module

    # Their visible quotes: the kept counts (a speaker without any has no row). Plain rows
    # on the session's connection (the search page asks this for every search).
    read = Columns.of(Speaker)
    rows = session.connection().execute(
        sql_select(*read.columns, col(SpeakerCount.quotes))
        .join(SpeakerCount, col(SpeakerCount.speaker_id) == Speaker.id)
        .where(col(Speaker.id).in_(ids), col(SpeakerCount.quotes) > 0)
        .order_by(col(SpeakerCount.quotes).desc(), col(Speaker.name)).limit(limit)).all()
    return [NamedSpeaker(plain(read.names, r[:-1]), int(r[-1]), fuzzy) for r in rows]


def _fuzzy_speakers(session: Session, key: str) -> list[int]:
    from rapidfuzz import fuzz, process

    rows = name_candidates(session, Speaker.id, [Speaker.name_key, Speaker.surname], key,
                           min_ratio=FUZZY_CUTOFF)
    choices: dict[int, str] = {}
    for i, (_sid, name_key, surname) in enumerate(rows):
        choices[2 * i] = name_key
        choices[2 * i + 1] = surname
    found = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                            limit=10)
    return list(dict.fromkeys(int(rows[k // 2][0]) for _, _, k in found))


def similar_entities(session: Session, text: str, limit: int = 3) -> list[Entity]:
    """Entities whose name is ``text`` or within a few typos of it (RapidFuzz), for the
    ``entity:`` field and "did you mean"."""
    from rapidfuzz import fuzz, process

    key = fold_key(" ".join(text.replace('"', " ").split()))[:100]
    if len(key) < 2:
        return []
    found = list(session.exec(select(Entity).where(col(Entity.name_key) == key)
                              .order_by(col(Entity.id)).limit(limit)).all())
    if found or len(key) < 4:
        return found
    rows = name_candidates(session, Entity.id, [Entity.name_key], key, min_ratio=FUZZY_CUTOFF)
    hits = process.extract(key, {int(i): k for i, k in rows}, scorer=fuzz.ratio,
                           score_cutoff=FUZZY_CUTOFF, limit=limit)
    ids = [k for _, _, k in hits]
    by_id = {e.id: e for e in session.exec(select(Entity).where(col(Entity.id).in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
