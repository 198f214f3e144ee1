"""Faceted quote search: filters that combine, facet counts, and streaming for exports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, text
from sqlalchemy import select as sql_select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.storage import queries
from app.storage.keyset import rows_by_ids
from app.storage.models import (
    Article,
    Entity,
    EntityCount,
    EntityQuote,
    Quote,
    Speaker,
    SpeakerCount,
)
from app.storage.queries import Page, QuoteRow, rows_for
from app.storage.search import (
    Hits,
    apply_text_search,
    ids_as_rows,
    is_sqlite_session,
    month_of,
    newest_matches,
    parse_query,
    ranked_ids,
    split_fields,
)

FACET_SIZE = 10
# Facets are counted over at most this many matching quotes: for a text search (alone or with
# a speaker) the newest matches, otherwise the first ones in list order. Below it the counts are
# exact; above it they describe a sample (a common word matches 10^5 quotes, and exact counts
# cost seconds per request; the page total stays exact). The sample's rows are read at random
# places in the quote and article tables (~6 µs a quote on SQLite, whatever the archive), so
# its size is most of a search page's cost: 1,000 until the distinct-URL benchmark
# (bench/http_distinct.py), then 250; 100 since a million quotes, where nearly every search
# fills the sample (at 100,000 most match fewer) and the facets were the page's largest growth.
FACET_SAMPLE = 100
KINDS = ("direct", "partial", "indirect")


@dataclass(frozen=True)
class QuoteFilters:
    """Everything that narrows a list of quotes; the URL holds all of it."""

    q: str = ""
    speaker: str | None = None
    entity: str | None = None
    article: int | None = None
    source: str | None = None
    language: str | None = None
    kind: str | None = None
    month: str | None = None  # YYYY-MM
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"  # or "newest"

    def without(self, name: str) -> QuoteFilters:
        """The same filters with one of them removed (for a facet's "remove" link)."""
        changes: dict[str, Any] = {name: "" if name == "q" else None}
        return replace(self, **changes)

    def as_params(self) -> dict[str, str]:
        """Query-string parameters that reproduce these filters."""
        out: dict[str, str] = {}
        for key in ("q", "speaker", "entity", "article", "source", "language", "kind", "month"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = str(value)
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        if self.sort != "relevance":
            out["sort"] = self.sort
        return out


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of matching quotes."""

    value: str
    label: str
    count: int


# A slug nothing has (slugify never makes a bare hyphen): a field naming nobody finds nothing.
NO_MATCH = "-"


def resolve_fields(session: Session, f: QuoteFilters) -> QuoteFilters:
    """``f`` with the ``speaker:``/``entity:`` fields of its words made filters: a speaker by
    full name, surname, mention or a misspelt name (``speaker:lavrof``), an entity by name
    (also misspelt). A field that names nobody leaves no quotes."""
    if ":" not in f.q:
        return f
    rest, fields = split_fields(f.q)
    if not fields:
        return f
    changes: dict[str, Any] = {"q": rest if rest.strip() else ""}
    for value in fields.get("speaker", [])[:1]:
        found = queries.named_speakers(session, value, 1)
        changes["speaker"] = found[0].speaker.slug if found else NO_MATCH
    for value in fields.get("entity", [])[:1]:
        ents = queries.similar_entities(session, value, 1)
        changes["entity"] = ents[0].slug if ents else NO_MATCH
    return replace(f, **changes)


def _article_date() -> Any:
    return func.coalesce(col(Article.published_at), col(Article.created_at))


def joins_article(f: QuoteFilters) -> bool:
    """Whether :func:`filtered`'s select joins the article (only the filters that read it)."""
    return bool(f.source or f.month or f.date_from or f.date_to)


def filtered(session: Session, f: QuoteFilters) -> tuple[SelectOfScalar[Quote], bool]:
    """A select of the quotes matching ``f``, and whether it is ordered by relevance."""
    stmt = select(Quote).where(col(Quote.hidden).is_(False))
    if joins_article(f):
        # Only these read the article; a speaker's or an entity's newest quotes are ordered
        # on quote.article_date, so their lists never touch the article table.
        stmt = stmt.join(Article, col(Article.id) == Quote.article_id)
    if f.speaker:
        # A scalar sub-select (slug is unique) rather than a join, so the planner can start
        # from the index on quote.speaker_id.
        stmt = stmt.where(Quote.speaker_id == _speaker_id(f.speaker))
    if f.entity:
        stmt = stmt.where(_mentions_entity(f.entity))
    if f.article is not None:
        stmt = stmt.where(Quote.article_id == f.article)
    if f.source:
        stmt = stmt.where(Article.source == f.source)
    if f.language:
        stmt = stmt.where(Quote.language == f.language)
    if f.kind:
        stmt = stmt.where(Quote.type == f.kind)
    if f.month:
        stmt = stmt.where(month_of(session, _article_date()) == f.month)
    if f.date_from:
        stmt = stmt.where(_article_date() >= datetime.combine(f.date_from, time(), UTC))
    if f.date_to:
        end = datetime.combine(f.date_to + timedelta(days=1), time(), UTC)
        stmt = stmt.where(_article_date() < end)
    ranked = False
    if f.q:
        stmt, ranked = apply_text_search(stmt, session, f.q)
    if f.sort == "newest" or not ranked:
        # Quote.article_date is the article's date copied onto each quote (see writes.py):
        # a speaker's page reads its 20 newest straight off ix_quote_speaker_date.
        stmt = stmt.order_by(None).order_by(
            col(Quote.article_date).desc(), col(Quote.article_id).desc(), col(Quote.start)
        )
        ranked = False
    return stmt, ranked


def _speaker_id(slug: str) -> Any:
    return select(Speaker.id).where(Speaker.slug == slug).scalar_subquery()


def _only_text_and_speaker(f: QuoteFilters) -> bool:
    """Whether ``f`` is a ranked text search narrowed at most by a speaker."""
    return bool(f.q) and f.sort == "relevance" and replace(f, q="", speaker=None) == QuoteFilters()


def _ranked_hits(session: Session, f: QuoteFilters, limit: int, offset: int) -> Hits | None:
    """Best-ranked ids and total for a text search with at most a speaker filter."""
    speaker_id: int | None = None
    if f.speaker:
        found = session.exec(select(Speaker.id).where(Speaker.slug == f.speaker)).first()
        if found is None:
            return Hits([], 0) if parse_query(f.q) else None
        speaker_id = found
    return ranked_ids(session, f.q, limit, offset, speaker_id)


def _newest_sample(session: Session, f: QuoteFilters) -> tuple[str, dict[str, Any]] | None:
    """The newest FACET_SAMPLE matches of a text search with at most a speaker filter, as SQL
    (column ``qid``) and its parameters; ``None`` when the general query must be used."""
    speaker_id: int | None = None
    if f.speaker:
        speaker_id = session.exec(select(Speaker.id).where(Speaker.slug == f.speaker)).first()
        if speaker_id is None:
            speaker_id = -1  # no such speaker: an empty sample
    return newest_matches(session, f.q, FACET_SAMPLE, speaker_id)


def _ranked_page(session: Session, f: QuoteFilters, limit: int, offset: int) -> Page | None:
    """The fast path of ``search``: top ids from the full-text index, then only those rows."""
    hit = _ranked_hits(session, f, limit, offset)
    if hit is None:
        return None
    return Page(rows_by_ids(session, hit.ids), hit.total, limit, offset, hit.estimated,
                hit.newest)


def _mentions_entity(slug: str) -> ColumnElement[bool]:
    """The quote's span contains a mention of the entity with this slug: one of the entity's
    kept links (``EntityQuote``, visible quotes), an index range whatever the archive."""
    return col(Quote.id).in_(
        select(EntityQuote.quote_id)
        .where(EntityQuote.entity_id == select(Entity.id).where(Entity.slug == slug)
               .scalar_subquery())
    )


def _kept_total(session: Session, f: QuoteFilters) -> int | None:
    """The total of a list that only a speaker or only an entity narrows, from the counts
    the write path keeps (``SpeakerCount``, ``EntityCount``); None for any other list."""
    if f.q or f.sort != "newest":
        return None
    if f.speaker and replace(f, speaker=None, sort="relevance") == QuoteFilters():
        return int(session.exec(
            select(func.coalesce(func.max(SpeakerCount.quotes), 0))
            .where(SpeakerCount.speaker_id == _speaker_id(f.speaker))).one())
    if f.entity and replace(f, entity=None, sort="relevance") == QuoteFilters():
        return int(session.exec(
            select(func.coalesce(func.max(EntityCount.quotes), 0))
            .where(EntityCount.entity_id == select(Entity.id).where(Entity.slug == f.entity)
                   .scalar_subquery())).one())
    return None


def search(session: Session, f: QuoteFilters, limit: int = 20, offset: int = 0) -> Page:
    """One page of quotes matching ``f`` and the total."""
    f = resolve_fields(session, f)
    if _only_text_and_speaker(f):
        fast = _ranked_page(session, f, limit, offset)
        if fast is not None:
            return fast
    stmt, _ = filtered(session, f)
    total = _kept_total(session, f)
    if total is None:
        total = int(session.exec(select(func.count()).select_from(
            stmt.order_by(None).with_only_columns(col(Quote.id)).subquery())).one())
    if total <= offset:
        return Page([], total, limit, offset)
    ids = [int(i) for i in session.execute(stmt.with_only_columns(col(Quote.id))
                                           .limit(limit).offset(offset)).scalars()]
    return Page(rows_by_ids(session, ids), total, limit, offset)


def iter_rows(session: Session, f: QuoteFilters, batch: int = 500) -> Iterator[QuoteRow]:
    """Every quote matching ``f``, in batches (exports stream all results, not one page)."""
    f = resolve_fields(session, f)
    stmt, _ = filtered(session, f)
    offset = 0
    while True:
        quotes = list(session.exec(stmt.limit(batch).offset(offset)).all())
        if not quotes:
            return
        yield from rows_for(session, quotes)
        offset += batch


@dataclass(frozen=True)
class Facets:
    """Facet counts, and how many quotes they were counted over when that is a sample of the
    matches (``sampled``: the newest FACET_SAMPLE of more; ``None``: every match counted)."""

    values: dict[str, list[FacetValue]]
    sampled: int | None = None


# The facets of a text search off its sample, in SQL written once ({sample}: the sub-select of
# ``search.newest_matches`` or ``search.ids_as_rows``, constants and placeholders only): the
# quote and article columns with the speaker's name in one pass, then the sample's entities
# off the kept links.
_FACET_ROWS = (
    "SELECT q.speaker_id, s.slug, s.name, a.source, q.language, q.type, {month} "
    "FROM quote q JOIN article a ON a.id = q.article_id "
    "LEFT JOIN speaker s ON s.id = q.speaker_id WHERE q.id IN ({sample})")
_FACET_NAMES = ("speaker", "entity", "source", "language", "kind", "month")
_MONTH = {True: "strftime('%Y-%m', coalesce(a.published_at, a.created_at))",
          False: "to_char(coalesce(a.published_at, a.created_at), 'YYYY-MM')"}
_FACET_ENTITIES = (
    "SELECT e.slug, e.name, count(*) AS n FROM ({sample}) AS sample "
    "JOIN entityquote l ON l.quote_id = sample.qid JOIN entity e ON e.id = l.entity_id "
    "GROUP BY e.id, e.slug, e.name ORDER BY n DESC, e.name LIMIT :size")


def facets(session: Session, f: QuoteFilters) -> dict[str, list[FacetValue]]:
    """Counts per speaker, entity, source, language, kind and month over the matching set
    (over a sample of ``FACET_SAMPLE`` of them when it is larger)."""
    return facets_of(session, f).values


def facets_of(session: Session, f: QuoteFilters, newest: Sequence[int] | None = None
              ) -> Facets:
    """:func:`facets`, saying whether they were counted over a sample. Two statements for a
    text search (with at most a speaker: three), whatever the number of matches; ``newest``:
    the newest matches of the same search, read with its page (``Page.newest``), so that
    the text is not searched again (the two statements then read those quotes by id; none
    when nothing matched)."""
    f = resolve_fields(session, f)
    fast = None
    if _only_text_and_speaker(f):
        if newest is not None and not newest:
            return Facets({name: [] for name in _FACET_NAMES})
        fast = ids_as_rows(session, newest[:FACET_SAMPLE]) if newest else _newest_sample(
            session, f)
    if fast is not None:
        sample_sql, params = fast
        sqlite = is_sqlite_session(session)
        # Only constants and the generated sub-select (placeholders) are formatted in.
        rows = session.execute(text(_FACET_ROWS.format(
            month=_MONTH[sqlite], sample=sample_sql)), params).all()
        ents = session.execute(text(_FACET_ENTITIES.format(sample=sample_sql)),
                               {**params, "size": FACET_SIZE}).all()
    else:
        stmt, _ = filtered(session, f)
        sample = stmt.with_only_columns(col(Quote.id).label("qid")).limit(FACET_SAMPLE).subquery()
        # The sample stays in SQL (a sub-select), never a list of ids bound one by one.
        rows = session.execute(
            sql_select(col(Quote.speaker_id), col(Speaker.slug), col(Speaker.name),
                       col(Article.source), col(Quote.language), col(Quote.type),
                       month_of(session, _article_date()))
            .join(Article, col(Article.id) == Quote.article_id)
            .outerjoin(Speaker, col(Speaker.id) == Quote.speaker_id)
            .where(col(Quote.id).in_(select(sample.c.qid)))
        ).all()
        n = func.count().label("n")
        # From the sample outwards: its quotes' entities off the kept links (one row per
        # quote and entity, visible quotes only, as the sample's are).
        ents = session.execute(
            select(Entity.slug, Entity.name, n).select_from(sample)
            .join(EntityQuote, col(EntityQuote.quote_id) == sample.c.qid)
            .join(Entity, col(Entity.id) == EntityQuote.entity_id)
            .group_by(col(Entity.id), col(Entity.slug), col(Entity.name))
            .order_by(n.desc(), col(Entity.name))
            .limit(FACET_SIZE)
        ).all()
    speakers: Counter[tuple[str, str]] = Counter(
        (str(r[1]), str(r[2])) for r in rows if r[0] is not None and r[1] is not None)
    counts: list[Counter[Any]] = [Counter(r[i] for r in rows if r[i] is not None)
                                  for i in range(3, 7)]
    values = {
        "speaker": _top({v: (label, c) for (v, label), c in speakers.items()}),
        "entity": [FacetValue(str(v), str(lab), int(c)) for v, lab, c in ents],
        "source": _top({v: (v, c) for v, c in counts[0].items()}),
        "language": _top({v: (v, c) for v, c in counts[1].items()}),
        "kind": _top({v: (v, c) for v, c in counts[2].items()}),
        "month": _top({v: (v, c) for v, c in counts[3].items()}),
    }
    return Facets(values, len(rows) if len(rows) >= FACET_SAMPLE else None)


def _top(values: dict[Any, tuple[Any, int]]) -> list[FacetValue]:
    """The FACET_SIZE values with the highest counts (ties by label)."""
    ranked = sorted(values.items(), key=lambda kv: (-kv[1][1], str(kv[1][0])))
    return [FacetValue(str(v), str(label), c) for v, (label, c) in ranked[:FACET_SIZE]]
