"""Faceted quote search: filters that combine, facet counts, and streaming for exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.storage.models import Article, Entity, EntityMention, Quote, Speaker
from app.storage.queries import Page, QuoteRow, rows_for
from app.storage.search import apply_text_search, month_of

FACET_SIZE = 10
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


def _article_date() -> Any:
    return func.coalesce(col(Article.published_at), col(Article.created_at))


def filtered(session: Session, f: QuoteFilters) -> tuple[SelectOfScalar[Quote], bool]:
    """A select of the quotes matching ``f``, and whether it is ordered by relevance."""
    stmt = (
        select(Quote)
        .join(Article, col(Article.id) == Quote.article_id)
        .where(col(Quote.hidden).is_(False))
    )
    if f.speaker:
        stmt = stmt.join(Speaker, col(Speaker.id) == Quote.speaker_id).where(
            Speaker.slug == f.speaker
        )
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
        stmt = stmt.order_by(None).order_by(
            _article_date().desc(), col(Quote.article_id).desc(), col(Quote.start)
        )
        ranked = False
    return stmt, ranked


def _mentions_entity(slug: str) -> ColumnElement[bool]:
    """The quote's span contains a mention of the entity with this slug."""
    return exists(
        select(EntityMention.id)
        .join(Entity, col(Entity.id) == EntityMention.entity_id)
        .where(
            Entity.slug == slug,
            EntityMention.article_id == Quote.article_id,
            col(EntityMention.start) >= Quote.start,
            col(EntityMention.end) <= Quote.end,
        )
    )


def search(session: Session, f: QuoteFilters, limit: int = 20, offset: int = 0) -> Page:
    """One page of quotes matching ``f`` and the total."""
    stmt, _ = filtered(session, f)
    total = int(session.exec(select(func.count()).select_from(
        stmt.order_by(None).with_only_columns(col(Quote.id)).subquery())).one())
    quotes = list(session.exec(stmt.limit(limit).offset(offset)).all())
    return Page(rows_for(session, quotes), total, limit, offset)


def iter_rows(session: Session, f: QuoteFilters, batch: int = 500) -> Iterator[QuoteRow]:
    """Every quote matching ``f``, in batches (exports stream all results, not one page)."""
    stmt, _ = filtered(session, f)
    offset = 0
    while True:
        quotes = list(session.exec(stmt.limit(batch).offset(offset)).all())
        if not quotes:
            return
        yield from rows_for(session, quotes)
        offset += batch


def facets(session: Session, f: QuoteFilters) -> dict[str, list[FacetValue]]:
    """Counts per speaker, entity, source, language, kind and month over the matching set."""
    stmt, _ = filtered(session, f)
    ids = stmt.order_by(None).with_only_columns(col(Quote.id).label("qid")).subquery("m")
    n = func.count(func.distinct(col(Quote.id))).label("n")

    def grouped(value: Any, label: Any, *joins: tuple[Any, Any]) -> list[FacetValue]:
        q = select(value, label, n).select_from(Quote).join(ids, ids.c.qid == Quote.id)
        for target, on in joins:
            q = q.join(target, on)
        q = q.where(value.is_not(None)).group_by(value, label).order_by(n.desc(), label)
        return [FacetValue(str(v), str(lab), int(c))
                for v, lab, c in session.exec(q.limit(FACET_SIZE)).all()]

    article_join = (Article, col(Article.id) == Quote.article_id)
    month = month_of(session, _article_date())
    return {
        "speaker": grouped(col(Speaker.slug), col(Speaker.name),
                           (Speaker, col(Speaker.id) == Quote.speaker_id)),
        "entity": grouped(
            col(Entity.slug), col(Entity.name),
            (EntityMention, and_(col(EntityMention.article_id) == Quote.article_id,
                                 col(EntityMention.start) >= Quote.start,
                                 col(EntityMention.end) <= Quote.end)),
            (Entity, col(Entity.id) == EntityMention.entity_id),
        ),
        "source": grouped(col(Article.source), col(Article.source), article_join),
        "language": grouped(col(Quote.language), col(Quote.language)),
        "kind": grouped(col(Quote.type), col(Quote.type)),
        "month": grouped(month, month, article_join),
    }
