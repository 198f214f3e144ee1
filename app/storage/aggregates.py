"""Aggregates the write path keeps, so that pages read a few rows instead of counting.

A speaker's numbers (quotes, articles, quotes per month, the entities their quotes mention,
the speakers quoted in the same articles) and an entity's number of quotes are sums over
articles of what each article's *visible* quotes contribute. Every write that can change an
article's contribution — saving a new article, re-extracting one, a correction, a merge, a
split — tallies the articles it touches before and after (:func:`kept`) and adds the
difference; a new article only adds (:func:`add_articles`). :func:`recount` computes the same
tables from scratch over the whole archive (the migration's backfill, :func:`rebuild` and the
tests that hold the two equal).

"Also reported in" links (:class:`QuoteEcho`) are found once, when a quote is saved
(:func:`link_echoes`), instead of on every view of a permalink: the quotes sharing one of
its echo keys (:func:`echo_keys`, stored in :class:`QuoteEchoKey`) compared with it. The
quotes that mention each entity (:class:`EntityQuote`, an entity page's list) are rewritten
for the same articles as the counts (:func:`relink`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlalchemy import and_, delete, func, text
from sqlalchemy import select as sql_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from app.storage.bulk import unnest_rows
from app.storage.models import (
    Article,
    EntityCount,
    EntityMention,
    EntityQuote,
    Quote,
    QuoteEcho,
    QuoteEchoKey,
    SpeakerCount,
    SpeakerEntity,
    SpeakerMonth,
    SpeakerPair,
)
from app.storage.search import is_sqlite_session, month_of, stem, words

#: How alike two quotes' words must be to count as the same quote reported again.
ECHO_RATIO = 0.8


@dataclass
class Tally:
    """What some articles contribute to every aggregate table (keys -> counts)."""

    quotes: Counter[int] = field(default_factory=Counter)  # speaker -> quotes
    articles: Counter[int] = field(default_factory=Counter)  # speaker -> articles
    months: Counter[tuple[int, str]] = field(default_factory=Counter)
    entities: Counter[tuple[int, int]] = field(default_factory=Counter)  # (speaker, entity)
    pairs: Counter[tuple[int, int]] = field(default_factory=Counter)  # (speaker, other)
    entity_quotes: Counter[int] = field(default_factory=Counter)  # entity -> quotes

    NAMES = ("quotes", "articles", "months", "entities", "pairs", "entity_quotes")

    def minus(self, other: Tally) -> Tally:
        """``self - other`` key by key, zeros dropped (negative counts kept)."""
        out = Tally()
        for name in self.NAMES:
            a, b, d = getattr(self, name), getattr(other, name), getattr(out, name)
            for key in a.keys() | b.keys():
                n = a.get(key, 0) - b.get(key, 0)
                if n:
                    d[key] = n
        return out

    def plain(self) -> dict[str, dict[Any, int]]:
        """Every table as a plain dict without zero counts (what tests compare)."""
        return {name: {k: v for k, v in getattr(self, name).items() if v}
                for name in self.NAMES}


def _article_date() -> Any:
    return func.coalesce(col(Article.published_at), col(Article.created_at))


def tally(session: Session, article_ids: Collection[int]) -> Tally:
    """What these articles contribute now (a few queries per 500 articles)."""
    out = Tally()
    ids = sorted(set(article_ids))
    for i in range(0, len(ids), 500):
        _tally_chunk(session, ids[i:i + 500], out)
    return out


def _tally_chunk(session: Session, ids: list[int], out: Tally) -> None:
    visible = and_(col(Quote.article_id).in_(ids), col(Quote.hidden).is_(False))
    per_article: dict[int, list[tuple[int, int]]] = {}
    for aid, sid, n in session.execute(
            select(Quote.article_id, Quote.speaker_id, func.count())
            .where(visible, col(Quote.speaker_id).is_not(None))
            .group_by(col(Quote.article_id), col(Quote.speaker_id))):
        per_article.setdefault(aid, []).append((sid, n))
    if per_article:
        months = dict(session.execute(
            select(Article.id, month_of(session, _article_date()))
            .where(col(Article.id).in_(sorted(per_article)))).all())
        for aid, found in per_article.items():
            month = str(months[aid])
            for sid, n in found:
                out.quotes[sid] += n
                out.articles[sid] += 1
                out.months[(sid, month)] += n
                out.pairs.update((sid, other) for other, _ in found if other != sid)
    for sid, eid in session.execute(
            select(Quote.speaker_id, EntityMention.entity_id)
            .join(EntityMention, and_(col(EntityMention.article_id) == Quote.article_id,
                                      col(EntityMention.start) >= Quote.start,
                                      col(EntityMention.end) <= Quote.end))
            .where(visible)
            .group_by(col(Quote.id), col(Quote.speaker_id), col(EntityMention.entity_id))):
        out.entity_quotes[eid] += 1
        if sid is not None:
            out.entities[(sid, eid)] += 1


_TABLES: tuple[tuple[str, type[SQLModel], tuple[str, ...], str], ...] = (
    ("months", SpeakerMonth, ("speaker_id", "month"), "quotes"),
    ("entities", SpeakerEntity, ("speaker_id", "entity_id"), "quotes"),
    ("pairs", SpeakerPair, ("speaker_id", "other_id"), "articles"),
    ("entity_quotes", EntityCount, ("entity_id",), "quotes"),
)


def apply(session: Session, delta: Tally) -> None:
    """Add ``delta`` to the stored aggregates; rows that reach zero are deleted."""
    counts = {sid: (delta.quotes.get(sid, 0), delta.articles.get(sid, 0))
              for sid in delta.quotes.keys() | delta.articles.keys()}
    _upsert(session, SpeakerCount, ("speaker_id",), ("quotes", "articles"),
            {(sid,): c for sid, c in counts.items()})
    for name, model, keys, column in _TABLES:
        changes: Counter[Any] = getattr(delta, name)
        _upsert(session, model, keys, (column,), {
            (k if isinstance(k, tuple) else (k,)): (n,) for k, n in changes.items()})


def _upsert(session: Session, model: type[SQLModel], keys: tuple[str, ...],
            columns: tuple[str, ...], changes: dict[tuple[Any, ...], tuple[int, ...]]) -> None:
    """Add each change to its row (inserted when missing), then drop the rows at zero: one
    statement for all the rows (on PostgreSQL their columns sent as arrays, see
    :func:`unnest_rows`; SQLite runs an executemany in C), and the delete only when a count
    went down (stored rows are never at zero, so adding cannot bring one there)."""
    if not changes:
        return
    table: Any = model.__table__  # type: ignore[attr-defined]
    rows = [{**dict(zip(keys, key, strict=True)), **dict(zip(columns, ns, strict=True))}
            for key, ns in sorted(changes.items())]
    if is_sqlite_session(session):
        ins: Any = sqlite_insert(table)
        params: Any = rows
    else:
        ins, params = pg_insert(table), None
        ins = ins.from_select([*keys, *columns], unnest_rows(table, [*keys, *columns], rows))
    stmt = ins.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: table.c[c] + getattr(ins.excluded, c) for c in columns})
    session.execute(stmt, params)
    if all(n > 0 for ns in changes.values() for n in ns):
        return
    first = sorted({key[0] for key in changes})
    for i in range(0, len(first), 500):
        session.execute(delete(table).where(table.c[keys[0]].in_(first[i:i + 500]),
                                            table.c[columns[0]] <= 0))


def add_articles(session: Session, article_ids: Collection[int]) -> None:
    """Add what articles saved just now contribute (nothing of theirs was counted yet)."""
    session.flush()
    apply(session, tally(session, article_ids))
    relink(session, article_ids, fresh=True)


@contextmanager
def kept(session: Session, article_ids: Collection[int]) -> Iterator[None]:
    """Keep the aggregates right across a change to these articles' quotes or mentions.

    Every article whose contribution the change alters must be among ``article_ids``.
    """
    ids = sorted(set(article_ids))
    session.flush()
    before = tally(session, ids)
    yield
    session.flush()
    apply(session, tally(session, ids).minus(before))
    relink(session, ids)


def _entity_quotes() -> Any:
    """(entity, quote, the quote's place in list order) for every visible quote and every
    entity mentioned inside its span, once each."""
    return (sql_select(col(EntityMention.entity_id), col(Quote.id), col(Quote.article_date),
                       col(Quote.article_id), col(Quote.start))
            .join(Quote, and_(col(EntityMention.article_id) == Quote.article_id,
                              col(EntityMention.start) >= Quote.start,
                              col(EntityMention.end) <= Quote.end))
            .where(col(Quote.hidden).is_(False)).distinct())


_LINK_COLUMNS = ["entity_id", "quote_id", "article_date", "article_id", "start"]


def relink(session: Session, article_ids: Collection[int], *, fresh: bool = False) -> None:
    """Rewrite the entity -> quote links (:class:`EntityQuote`) of these articles from their
    visible quotes and mentions (``fresh``: they have none stored yet)."""
    ids = sorted(set(article_ids))
    table: Any = EntityQuote.__table__  # type: ignore[attr-defined]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        if not fresh:
            session.execute(delete(table).where(table.c.article_id.in_(chunk)))
        session.execute(table.insert().from_select(
            _LINK_COLUMNS, _entity_quotes().where(col(Quote.article_id).in_(chunk))))


def stored_entity_quotes(session: Session) -> set[tuple[Any, ...]]:
    """Every stored entity -> quote link, with its place in list order."""
    table: Any = EntityQuote.__table__  # type: ignore[attr-defined]
    return {tuple(r) for r in session.execute(
        table.select().with_only_columns(*(table.c[c] for c in _LINK_COLUMNS)))}


def recount_entity_quotes(session: Session) -> set[tuple[Any, ...]]:
    """Every entity -> quote link computed from scratch over the whole archive."""
    return {tuple(r) for r in session.execute(_entity_quotes())}


def stored(session: Session) -> Tally:
    """The aggregate tables as they are stored."""
    out = Tally()
    for sid, q, a in session.execute(select(SpeakerCount.speaker_id, SpeakerCount.quotes,
                                            SpeakerCount.articles)):
        out.quotes[sid] += q
        out.articles[sid] += a
    for name, model, keys, column in _TABLES:
        table: Any = model.__table__  # type: ignore[attr-defined]
        counter: Counter[Any] = getattr(out, name)
        for row in session.execute(table.select().with_only_columns(
                *(table.c[k] for k in keys), table.c[column])):
            key = tuple(row[:-1])
            counter[key if len(key) > 1 else key[0]] += row[-1]
    return out


def recount(session: Session) -> Tally:
    """Every aggregate computed from scratch over the whole archive (GROUP BY queries)."""
    out = Tally()
    visible = and_(col(Quote.hidden).is_(False), col(Quote.speaker_id).is_not(None))
    for sid, q, a in session.execute(
            select(Quote.speaker_id, func.count(), func.count(func.distinct(Quote.article_id)))
            .where(visible).group_by(col(Quote.speaker_id))):
        out.quotes[sid], out.articles[sid] = q, a
    month = month_of(session, _article_date())
    for sid, m, n in session.execute(
            select(Quote.speaker_id, month, func.count())
            .join(Article, col(Article.id) == Quote.article_id)
            .where(visible).group_by(col(Quote.speaker_id), month)):
        out.months[(sid, str(m))] = n
    contains = and_(col(EntityMention.article_id) == Quote.article_id,
                    col(EntityMention.start) >= Quote.start, col(EntityMention.end) <= Quote.end)
    for sid, eid, n in session.execute(
            select(Quote.speaker_id, EntityMention.entity_id, func.count(func.distinct(Quote.id)))
            .join(EntityMention, contains).where(visible)
            .group_by(col(Quote.speaker_id), col(EntityMention.entity_id))):
        out.entities[(sid, eid)] = n
    for eid, n in session.execute(
            select(EntityMention.entity_id, func.count(func.distinct(Quote.id)))
            .join(Quote, contains).where(col(Quote.hidden).is_(False))
            .group_by(col(EntityMention.entity_id))):
        out.entity_quotes[eid] = n
    theirs = select(Quote.speaker_id, Quote.article_id).where(visible).distinct().subquery()
    other = theirs.alias("other")
    for a, b, n in session.execute(
            select(theirs.c.speaker_id, other.c.speaker_id, func.count())
            .join(other, and_(other.c.article_id == theirs.c.article_id,
                              other.c.speaker_id != theirs.c.speaker_id))
            .group_by(theirs.c.speaker_id, other.c.speaker_id)):
        out.pairs[(a, b)] = n
    return out


def rebuild(session: Session) -> None:
    """Replace every aggregate table with a recount (a backfill, or after bulk loading)."""
    for _, model, _, _ in _TABLES:
        session.execute(delete(model.__table__))  # type: ignore[attr-defined]
    session.execute(delete(SpeakerCount.__table__))  # type: ignore[attr-defined]
    apply(session, recount(session))


def rebuild_entity_quotes(session: Session) -> None:
    """Replace every entity -> quote link with a recount."""
    table: Any = EntityQuote.__table__  # type: ignore[attr-defined]
    session.execute(delete(table))
    session.execute(table.insert().from_select(_LINK_COLUMNS, _entity_quotes()))


# --- "also reported in" ---------------------------------------------------------------------

EchoSource = tuple[int, int, str, str]  # quote id, article id, text, language

#: Words (stemmed) per shingle of a quote's echo keys, and the winnowing window: two quotes
#: sharing a run of ``ECHO_SHINGLE + ECHO_WINDOW - 1`` = 8 words share a key.
ECHO_SHINGLE = 5
ECHO_WINDOW = 4
#: A quote of fewer words keeps every shingle as a key, not only the winnowed ones.
ECHO_ALL_BELOW = 16
#: A quote of fewer words also keeps its three-word shingles.
ECHO_SHORT_BELOW = 12
#: Keys looked up per statement.
ECHO_LOOKUP = 5000


def _hash(shingle: str) -> int:
    """A stable signed 64-bit hash (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big",
                          signed=True)


def echo_keys(text: str, language: str) -> set[int]:
    """The keys that find a quote's echoes: hashes of runs of its stemmed words, chosen so
    that two quotes share one whenever they share a run of eight words anywhere (the phrase
    search this replaced looked for a quote's first eight words only, and from the newer
    quote's side only).

    The runs of :data:`ECHO_SHINGLE` words, winnowed (Schleimer, Wilkerson and Aiken 2003):
    of every :data:`ECHO_WINDOW` consecutive ones, the smallest hash; two quotes sharing eight
    words have a window over them in common, so the same smallest one. A quote of fewer than
    :data:`ECHO_ALL_BELOW` words keeps every run (another quote containing all of a short
    one has no window inside it); one of fewer than :data:`ECHO_SHORT_BELOW` words its runs
    of three as well. None for fewer than three words (too short to be told apart)."""
    ws = [stem(w, language) for w in words(text)]
    n = len(ws)
    if n < 3:
        return set()
    keys = ({_hash("3 " + " ".join(ws[i:i + 3])) for i in range(n - 2)}
            if n < ECHO_SHORT_BELOW else set())
    runs = [_hash(" ".join(ws[i:i + ECHO_SHINGLE])) for i in range(n - ECHO_SHINGLE + 1)]
    if n < ECHO_ALL_BELOW:
        keys.update(runs)
    else:
        keys.update(min(runs[i:i + ECHO_WINDOW]) for i in range(len(runs) - ECHO_WINDOW + 1))
    return keys


@dataclass(frozen=True)
class _Echoing:
    """A quote being linked: its words joined (what is compared) and its keys."""

    id: int
    article_id: int
    joined: str
    keys: set[int]


def _echoing(quotes: Sequence[EchoSource]) -> list[_Echoing]:
    out = []
    for qid, aid, quote_text, language in quotes:
        keys = echo_keys(quote_text, language)
        if keys:
            out.append(_Echoing(qid, aid, " ".join(words(quote_text)), keys))
    return out


def _alike(a: str, b: str) -> bool:
    """Whether two quotes' joined words are alike enough to be the same quote (difflib ratio
    at least :data:`ECHO_RATIO`; the quick ratios are upper bounds of it: most candidates
    stop there)."""
    match = difflib.SequenceMatcher(None, a, b)
    return (match.real_quick_ratio() >= ECHO_RATIO and match.quick_ratio() >= ECHO_RATIO
            and match.ratio() >= ECHO_RATIO)


def _may_be_alike(a: int, b: int) -> bool:
    """``real_quick_ratio`` of two lengths: whether they leave room for :func:`_alike`."""
    return a + b > 0 and 2.0 * min(a, b) / (a + b) >= ECHO_RATIO


def _stored_keys(session: Session, keys: Sequence[int]) -> Iterator[Any]:
    """(hash, quote, article, chars) of the stored keys among ``keys`` whose quote is there,
    in that article, and visible (one indexed lookup per :data:`ECHO_LOOKUP` keys; the keys
    go as one JSON or array value). A key left by a quote deleted with its article (no
    foreign key removes it) is not returned."""
    sqlite = is_sqlite_session(session)
    for n in range(0, len(keys), ECHO_LOOKUP):
        chunk = list(keys[n:n + ECHO_LOOKUP])
        if sqlite:
            wanted = "k.hash IN (SELECT value FROM json_each(:keys))"
            params: dict[str, Any] = {"keys": json.dumps(chunk)}
        else:
            wanted = "k.hash = ANY(CAST(:keys AS BIGINT[]))"
            params = {"keys": chunk}
        stmt = text("SELECT k.hash, k.quote_id, k.article_id, k.chars FROM quoteechokey k "  # noqa: S608
                    "JOIN quote q ON q.id = k.quote_id AND q.article_id = k.article_id "
                    f"WHERE {wanted} AND q.hidden = false")
        yield from session.execute(stmt, params)


def _links(session: Session, todo: Sequence[_Echoing]) -> set[tuple[int, int]]:
    """The echo links of these quotes, both ways round (see :func:`echo_links`)."""
    holders: dict[int, list[tuple[int, int, int]]] = {}
    for key, qid, aid, chars in _stored_keys(session, sorted({k for q in todo for k in q.keys})):
        holders.setdefault(key, []).append((qid, aid, chars))
    mine = {q.id: q for q in todo}
    for q in todo:  # each other, whether their keys are stored yet or not
        for key in q.keys:
            holders.setdefault(key, []).append((q.id, q.article_id, len(q.joined)))
    pairs: set[tuple[int, int]] = set()
    for q in todo:
        size = len(q.joined)
        for key in q.keys:
            for other, aid, chars in holders[key]:
                if other != q.id and aid != q.article_id and _may_be_alike(size, chars):
                    pairs.add((min(q.id, other), max(q.id, other)))
    wanted = sorted({i for pair in pairs for i in pair} - mine.keys())
    texts = {q.id: q.joined for q in todo}
    for n in range(0, len(wanted), 500):
        for qid, quote_text in session.execute(
                select(Quote.id, Quote.text).where(col(Quote.id).in_(wanted[n:n + 500]),
                                                   col(Quote.hidden).is_(False))):
            texts[qid] = " ".join(words(quote_text))
    links: set[tuple[int, int]] = set()
    for a, b in pairs:
        if a in texts and b in texts and _alike(texts[a], texts[b]):
            links.update(((a, b), (b, a)))
    return links


def echo_links(session: Session, quotes: Sequence[EchoSource]) -> set[tuple[int, int]]:
    """The echo links of these quotes, both ways round: the visible quotes in other articles
    that are the same or nearly the same quote. The candidates are the quotes sharing an echo
    key (:func:`echo_keys`: any eight words in a row, stemmed) — one indexed lookup of the
    stored keys for all the quotes, then the texts of those whose length leaves room for a
    match (one more per 500) — then a fuzzy comparison of all their words (difflib ratio at
    least :data:`ECHO_RATIO`). ``quotes`` are visible; they find each other too."""
    return _links(session, _echoing(quotes))


def _store_keys(session: Session, todo: Sequence[_Echoing]) -> None:
    """Store these quotes' keys (replacing those of a deleted quote that had the same id)."""
    rows = [{"hash": key, "quote_id": q.id, "article_id": q.article_id, "chars": len(q.joined)}
            for q in todo for key in sorted(q.keys)]
    if not rows:
        return
    table: Any = QuoteEchoKey.__table__  # type: ignore[attr-defined]
    if is_sqlite_session(session):  # one executemany: nothing reads them back
        ins: Any = sqlite_insert(table)
        params: Any = rows
    else:
        ins, params = pg_insert(table), None
        ins = ins.from_select(list(rows[0]), unnest_rows(table, list(rows[0]), rows))
    session.execute(ins.on_conflict_do_update(
        index_elements=["hash", "quote_id"],
        set_={"article_id": ins.excluded.article_id, "chars": ins.excluded.chars}), params)


def _store_links(session: Session, links: set[tuple[int, int]]) -> None:
    if not links:
        return
    ins = (sqlite_insert if is_sqlite_session(session) else pg_insert)(QuoteEcho.__table__)  # type: ignore[attr-defined]
    session.execute(ins.on_conflict_do_nothing(),
                    [{"quote_id": a, "other_id": b} for a, b in sorted(links)])


def link_echoes(session: Session, quotes: Sequence[EchoSource]) -> None:
    """Find and store the echoes of visible quotes saved just now, both ways round, and
    store their echo keys (for the quotes saved after them)."""
    todo = _echoing(quotes)
    _store_links(session, _links(session, todo))
    _store_keys(session, todo)


def unlink_echoes(session: Session, quotes: Sequence[EchoSource]) -> None:
    """Forget the echoes and the echo keys of quotes about to be deleted (their keys found
    by primary key, computed again from their text: no index on the quote for them)."""
    ids = [q[0] for q in quotes]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        session.execute(delete(QuoteEcho).where(col(QuoteEcho.quote_id).in_(chunk)))
        session.execute(delete(QuoteEcho).where(col(QuoteEcho.other_id).in_(chunk)))
    todo = _echoing(quotes)
    for i in range(0, len(todo), 100):
        chunk_q = todo[i:i + 100]
        session.execute(delete(QuoteEchoKey).where(
            col(QuoteEchoKey.hash).in_(sorted({k for q in chunk_q for k in q.keys})),
            col(QuoteEchoKey.quote_id).in_([q.id for q in chunk_q])))


def _visible(session: Session) -> list[EchoSource]:
    return [(int(qid), int(aid), text_, lang) for qid, aid, text_, lang in session.execute(
        select(Quote.id, Quote.article_id, Quote.text, Quote.language)
        .where(col(Quote.hidden).is_(False)).order_by(col(Quote.id)))]


def recount_echoes(session: Session) -> set[tuple[int, int]]:
    """Every echo link computed from scratch, without the stored keys: the keys of every
    visible quote computed again, the pairs sharing one compared."""
    todo = _echoing(_visible(session))
    sharing: dict[int, list[_Echoing]] = {}
    for q in todo:
        for key in q.keys:
            sharing.setdefault(key, []).append(q)
    links: set[tuple[int, int]] = set()
    for group in sharing.values():
        for a, b in combinations(group, 2):
            if ((a.id, b.id) not in links and a.article_id != b.article_id
                    and _may_be_alike(len(a.joined), len(b.joined))
                    and _alike(a.joined, b.joined)):
                links.update(((a.id, b.id), (b.id, a.id)))
    return links


def stored_echoes(session: Session) -> set[tuple[int, int]]:
    """Every stored echo link."""
    return {(a, b) for a, b in session.execute(select(QuoteEcho.quote_id, QuoteEcho.other_id))}


def rebuild_echoes(session: Session) -> None:
    """Replace every echo key and link with those of the visible quotes (the migration's
    backfill): every key stored first, then the links found through them, 2,000 quotes at a
    time."""
    session.execute(delete(QuoteEcho))
    session.execute(delete(QuoteEchoKey))
    todo = _echoing(_visible(session))
    for n in range(0, len(todo), 2000):
        _store_keys(session, todo[n:n + 2000])
    links: set[tuple[int, int]] = set()
    for n in range(0, len(todo), 2000):
        links |= _links(session, todo[n:n + 2000])
    _store_links(session, links)
