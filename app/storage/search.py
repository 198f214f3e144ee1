"""Full-text search over quotes: the one place with per-dialect SQL.

SQLite: an FTS5 table ``quote_fts`` (``unicode61 remove_diacritics 0`` so å/ä/ö stay apart) whose
rows hold the *stemmed* words of each quote; the query is stemmed the same way in Python, every
term is quoted (so ``-``, ``AND``, ``(``, ``*``, ``'`` and stray ``"`` are plain words) and the
last bare word becomes a prefix for type-ahead. PostgreSQL: a GIN-indexed tsvector table
``quote_search`` of the same stems ('simple' configuration), ranked by ts_rank. ``ranked_ids``
is the fast path for a ranked text search (ORDER BY/LIMIT inside the full-text query; on SQLite
only the newest RANK_WINDOW matches are ranked, see ``_fts5_window``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import snowballstemmer
from sqlalchemy import Float, Integer, func, text
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.storage.models import Quote

FTS_TABLE = "quote_fts"
PG_TABLE = "quote_search"
# SQLite ranks at most this many (the newest) matches of a text search; see _fts5_window.
RANK_WINDOW = 10_000
WORD_RE = re.compile(r"\w+", re.UNICODE)
PHRASE_RE = re.compile(r'"([^"]*)"')
STEMMER_LANGUAGES = {"sv": "swedish", "en": "english"}


_local = threading.local()


def _stemmer(lang: str) -> snowballstemmer.stemmer:
    """This thread's Snowball stemmer for ``lang``: a stemmer object keeps the word it is
    working on inside itself, so threads (the web server's pool) must not share one."""
    mine: dict[str, snowballstemmer.stemmer] | None = getattr(_local, "stemmers", None)
    if mine is None:
        mine = _local.stemmers = {}
    found = mine.get(lang)
    if found is None:
        found = mine[lang] = snowballstemmer.stemmer(STEMMER_LANGUAGES.get(lang, "swedish"))
    return found


def words(text_: str) -> list[str]:
    """Lower-cased word tokens, the same split on the index and the query side."""
    return [w.lower() for w in WORD_RE.findall(text_)]


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """The Snowball stem of one lower-cased word (cached: pure-Python Snowball costs ~30 µs a
    word, and highlighting a page of results stems every word in both languages)."""
    return str(_stemmer(lang).stemWord(word))


def index_body(text_: str, lang: str) -> str:
    """What goes into the FTS row for a quote: its stemmed words."""
    return " ".join(stem(w, lang) for w in words(text_))


@dataclass(frozen=True)
class QueryTerm:
    """One word or phrase of a user query, with its stems in each language.

    The word being typed (``prefix``) is the word as typed, lower-cased, matched as the start
    of an indexed stem, or one of its stems (``exact``) matched whole: see :func:`parse_query`.
    """

    alternatives: tuple[tuple[str, ...], ...]  # one stem sequence per language, deduplicated
    prefix: bool = False
    exact: tuple[str, ...] = ()  # a prefix term's stems (those unlike the typed word)


def parse_query(q: str) -> list[QueryTerm]:
    """Split user input into phrases ("…") and words; any input gives a (maybe empty) list."""
    terms: list[QueryTerm] = []
    q = q[:500]
    phrases = PHRASE_RE.findall(q)
    rest = PHRASE_RE.sub(" ", q)
    for phrase in phrases:
        ws = words(phrase)
        if ws:
            terms.append(QueryTerm(_alternatives(ws)))
    bare = words(rest)
    # The last bare word is a prefix only while it is being typed (no trailing space).
    trailing = bool(bare) and not rest.endswith((" ", '"')) and phrases[-1:] != [q.strip()]
    for i, w in enumerate(bare[:20]):
        terms.append(_typed(w) if trailing and i == len(bare) - 1
                     else QueryTerm(_alternatives([w])))
    return terms


def _typed(w: str) -> QueryTerm:
    """The word being typed: stems that start with it, or a stem of it as a whole word.

    The index holds stems, and a Snowball stem is the start of its word (Swedish always,
    English nearly), so every word that starts with what was typed has a stem that starts
    with it, unless the stem is shorter than what was typed: then it is the stem of the typed
    text itself (``huset`` -> ``hus``, ``regeringe`` -> ``regering``), matched whole. The
    stem is not made a prefix too: ``"hus"*`` matched every hus-word (husdjur, husläkare)
    besides the ``huset`` being typed. A typed text whose stem is a common word still finds
    that word (``förs`` -> ``för``), as the prefix of its stem did before.
    """
    stems = tuple(dict.fromkeys(s for (s,) in _alternatives([w]) if s != w))
    return QueryTerm(((w,),), prefix=True, exact=stems)


def _alternatives(ws: list[str]) -> tuple[tuple[str, ...], ...]:
    alts: list[tuple[str, ...]] = []
    for lang in STEMMER_LANGUAGES:
        s = tuple(stem(w, lang) for w in ws)
        if s not in alts:
            alts.append(s)
    return tuple(alts)


def fts5_match(terms: list[QueryTerm]) -> str:
    """An FTS5 MATCH expression in which every user word is a quoted string."""
    parts: list[str] = []
    for t in terms:
        alts = []
        for seq in t.alternatives:
            quoted = '"' + " ".join(s.replace('"', "") for s in seq) + '"'
            alts.append(quoted + ("*" if t.prefix else ""))
        alts += ['"' + s.replace('"', "") + '"' for s in t.exact]
        parts.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    return " AND ".join(parts)


def highlight_spans(text_: str, q: str) -> list[tuple[int, int]]:
    """Character spans of ``text_`` whose word stems match the query (for <mark>)."""
    terms = parse_query(q)
    exact: set[str] = set()
    prefixes: set[str] = set()
    for t in terms:
        for seq in t.alternatives:
            (prefixes if t.prefix else exact).update(seq)
            if t.prefix:
                exact.update(seq[:-1])
        exact.update(t.exact)
    spans: list[tuple[int, int]] = []
    if not exact and not prefixes:
        return spans
    for m in WORD_RE.finditer(text_):
        w = m.group().lower()
        stems = {stem(w, lang) for lang in STEMMER_LANGUAGES}
        if stems & exact or any(s.startswith(p) for s in stems for p in prefixes):
            spans.append((m.start(), m.end()))
    return spans


def month_of(session: Session, value: Any) -> Any:
    """SQL for the ``YYYY-MM`` month of a timestamp, in this session's dialect."""
    if is_sqlite_session(session):
        return func.strftime("%Y-%m", value)
    return func.to_char(value, "YYYY-MM")


def is_sqlite_session(session: Session) -> bool:
    """Whether this session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def create_search_index(session: Session) -> None:
    """Create the FTS table if missing (migrations do this; tests on bare metadata too)."""
    if is_sqlite_session(session):
        session.exec(text(FTS5_DDL))  # type: ignore[call-overload]


FTS5_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 0')"
)


class Indexable(Protocol):
    """What the search index reads of a quote (an ORM row or a just-saved record)."""

    @property
    def id(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def hidden(self) -> bool: ...


def index_quotes(session: Session, quotes: Sequence[Indexable], *, fresh: bool = False
                 ) -> None:
    """(Re)write the search rows of these quotes (hidden ones are left out).

    ``fresh``: the quotes were inserted in this transaction, so they have no rows to drop.
    """
    quotes = [q for q in quotes if not q.hidden]
    if not quotes:
        return
    if not fresh:
        unindex_quotes(session, [q.id for q in quotes if q.id is not None])
    rows = [{"id": q.id, "body": index_body(q.text, q.language)} for q in quotes]
    if is_sqlite_session(session):
        sql = f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (:id, :body)"  # noqa: S608
    else:
        sql = f"INSERT INTO {PG_TABLE}(quote_id, body) VALUES (:id, to_tsvector('simple', :body))"  # noqa: S608
    session.execute(text(sql), rows)


def unindex_quotes(session: Session, quote_ids: list[int]) -> None:
    """Drop the search rows of these quotes."""
    if not quote_ids:
        return
    table, key = (FTS_TABLE, "rowid") if is_sqlite_session(session) else (PG_TABLE, "quote_id")
    for i in range(0, len(quote_ids), 500):
        chunk = quote_ids[i : i + 500]
        params = {f"i{n}": v for n, v in enumerate(chunk)}
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        # Only generated placeholders and a constant table name are formatted in.
        sql = f"DELETE FROM {table} WHERE {key} IN ({marks})"  # noqa: S608
        session.execute(text(sql), params)


def apply_text_search(
    stmt: SelectOfScalar[Quote], session: Session, q: str
) -> tuple[SelectOfScalar[Quote], bool]:
    """Narrow ``stmt`` (a select of Quote) to quotes matching ``q``.

    Returns the statement and whether it is ordered by relevance already.
    """
    terms = parse_query(q)
    if not terms:
        return stmt, False
    if is_sqlite_session(session):
        fts = (
            text(
                f"SELECT rowid AS qid, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH :match"
            )
            .bindparams(match=fts5_match(terms))
            .columns(qid=Integer, rank=Float)
            .subquery("fts")
        )
        stmt = stmt.join(fts, fts.c.qid == Quote.id).order_by(fts.c.rank)
        return stmt, True
    query, params = _tsquery(terms)
    pg = (
        text(
            f"SELECT quote_id AS qid, ts_rank(body, {query}) AS rank FROM {PG_TABLE} "  # noqa: S608
            f"WHERE body @@ {query}"
        )
        .bindparams(**params)
        .columns(qid=Integer, rank=Float)
        .subquery("fts")
    )
    stmt = stmt.join(pg, pg.c.qid == Quote.id).order_by(pg.c.rank.desc())
    return stmt, True


def ranked_ids(
    session: Session, q: str, limit: int, offset: int = 0, speaker_id: int | None = None
) -> tuple[list[int], int] | None:
    """The ids of the best-ranked quotes matching ``q`` (one page) and how many match.

    The fast path for a text search with at most a speaker filter: ORDER BY rank and LIMIT run
    inside the full-text query, so only one page of quote rows is ever read, and the count never
    touches the quote table (hidden quotes are never in the index). ``None`` when ``q`` holds
    no words.
    """
    terms = parse_query(q)
    if not terms:
        return None
    if is_sqlite_session(session):
        params: dict[str, Any] = {"m": fts5_match(terms), "lim": limit, "off": offset}
        if speaker_id is None:
            return _fts5_window(session, params, limit, offset)
        # The speaker's quotes come from ix_quote_speaker_id into a set that the match scan
        # probes. "+rowid" keeps FTS5 from turning the IN into one MATCH per rowid (2 ms
        # each), and bm25() rather than "rank" scores only the rows that pass (FTS5 sorts
        # by "rank" itself, scoring every match first).
        params["sp"] = speaker_id
        base = (f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m "  # noqa: S608
                "AND +rowid IN (SELECT id FROM quote WHERE speaker_id = :sp)")
        top = f"SELECT rowid {base} ORDER BY bm25({FTS_TABLE}) LIMIT :lim OFFSET :off"
        count = f"SELECT count(*) {base}"
    else:
        query, binds = _tsquery(terms)
        params = {**binds, "lim": limit, "off": offset}
        where = f"body @@ {query}"
        if speaker_id is not None:
            params["sp"] = speaker_id
            where += " AND quote_id IN (SELECT id FROM quote WHERE speaker_id = :sp)"
        top = (f"SELECT quote_id FROM {PG_TABLE} WHERE {where} "  # noqa: S608
               f"ORDER BY ts_rank(body, {query}) DESC LIMIT :lim OFFSET :off")
        count = f"SELECT count(*) FROM {PG_TABLE} WHERE {where}"  # noqa: S608
    ids = [int(r[0]) for r in session.execute(text(top), params).all()]
    if offset == 0 and len(ids) < limit:
        return ids, len(ids)  # the whole set is on this page: no count needed
    return ids, int(session.execute(text(count), params).scalar_one())


def newest_matches(
    session: Session, q: str, limit: int, speaker_id: int | None = None
) -> Any:
    """A sub-select (column ``qid``) of the newest ``limit`` quotes matching ``q`` (by id, no
    ranking: cheap on both engines); ``None`` when ``q`` holds no words."""
    terms = parse_query(q)
    if not terms:
        return None
    if is_sqlite_session(session):
        params: dict[str, Any] = {"m": fts5_match(terms), "lim": limit}
        sql = f"SELECT rowid AS qid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m"  # noqa: S608
        key = "rowid"
    else:
        query, binds = _tsquery(terms)
        params = {**binds, "lim": limit}
        sql = f"SELECT quote_id AS qid FROM {PG_TABLE} WHERE body @@ {query}"  # noqa: S608
        key = "quote_id"
    if speaker_id is not None:
        params["sp"] = speaker_id
        sql += f" AND +{key} IN (SELECT id FROM quote WHERE speaker_id = :sp)"  # noqa: S608
    sql += f" ORDER BY {key} DESC LIMIT :lim"
    return text(sql).bindparams(**params).columns(qid=Integer).subquery("sample")


def _fts5_window(
    session: Session, params: dict[str, Any], limit: int, offset: int
) -> tuple[list[int], int]:
    """Top ids for an FTS5 match, ranking only the newest ``RANK_WINDOW`` matches.

    bm25 has to score every match before ORDER BY rank LIMIT can answer: ~3 µs a match, so a
    word in 10^5 quotes costs 300 ms. Only the newest RANK_WINDOW matches (by rowid, which FTS5
    walks in order without scoring) are ranked; beyond them the list goes on newest first. Up to
    RANK_WINDOW matches this is exactly ORDER BY rank.
    """
    match = f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m"
    ids: list[int] = []
    if offset < RANK_WINDOW:
        ranked = (f"SELECT rowid FROM (SELECT rowid, rank {match} ORDER BY rowid DESC "  # noqa: S608
                  f"LIMIT {RANK_WINDOW}) ORDER BY rank LIMIT :n OFFSET :off")
        n = min(limit, RANK_WINDOW - offset)
        ids += [int(r[0]) for r in session.execute(text(ranked), {**params, "n": n})]
    if offset + limit > RANK_WINDOW:
        rest = f"SELECT rowid {match} ORDER BY rowid DESC LIMIT :n OFFSET :skip"
        skip = max(offset, RANK_WINDOW)
        ids += [int(r[0]) for r in session.execute(
            text(rest), {**params, "n": offset + limit - skip, "skip": skip})]
    if offset == 0 and len(ids) < limit:
        return ids, len(ids)
    total = session.execute(text(f"SELECT count(*) {match}"), params).scalar_one()
    return ids, int(total)


def newest_ids(session: Session, q: str, limit: int) -> list[int]:
    """The ids of the newest ``limit`` quotes matching ``q``: no ranking and no count.

    For lookups that keep a handful of candidates and judge them themselves (the same quote
    reported elsewhere): bm25 and the total cost more than finding the matches.
    """
    terms = parse_query(q)
    if not terms:
        return []
    if is_sqlite_session(session):
        sql = (f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m "  # noqa: S608
               "ORDER BY rowid DESC LIMIT :lim")
        params: dict[str, Any] = {"m": fts5_match(terms), "lim": limit}
    else:
        query, binds = _tsquery(terms)
        sql = (f"SELECT quote_id FROM {PG_TABLE} WHERE body @@ {query} "  # noqa: S608
               "ORDER BY quote_id DESC LIMIT :lim")
        params = {**binds, "lim": limit}
    return [int(r[0]) for r in session.execute(text(sql), params)]


def _tsquery(terms: list[QueryTerm], prefix: str = "t") -> tuple[str, dict[str, str]]:
    """A tsquery built from bound parameters only: every stem is a value, never SQL.

    ``prefix`` names the parameters, so that several tsqueries can go into one statement.
    """
    params: dict[str, str] = {}
    ands: list[str] = []
    for i, t in enumerate(terms):
        ors: list[str] = []
        for j, seq in enumerate(t.alternatives):
            name = f"{prefix}{i}_{j}"
            params[name] = " ".join(seq)
            if t.prefix and len(seq) == 1:
                ors.append(f"to_tsquery('simple', quote_literal(:{name}) || ':*')")
            else:
                ors.append(f"phraseto_tsquery('simple', :{name})")
        for j, word in enumerate(t.exact):
            name = f"{prefix}{i}_x{j}"
            params[name] = word
            ors.append(f"phraseto_tsquery('simple', :{name})")
        ands.append("(" + " || ".join(ors) + ")")
    return "(" + " && ".join(ands) + ")", params


def word_terms(ws: Sequence[str]) -> list[QueryTerm]:
    """One whole-word term per word (stemmed in both languages, no prefix), for lookups that
    choose their words themselves (the verification of a pasted quote)."""
    return [QueryTerm(_alternatives([w])) for w in ws]


def capped_counts(session: Session, terms: Sequence[QueryTerm], cap: int) -> list[int]:
    """How many quotes match each term, counted up to ``cap`` (one statement for all): the
    rarity of each word, at a bounded cost however common it is."""
    if not terms:
        return []
    parts: list[str] = []
    params: dict[str, Any] = {"cap": cap}
    sqlite = is_sqlite_session(session)
    for i, t in enumerate(terms):
        if sqlite:
            params[f"m{i}"] = fts5_match([t])
            inner = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m{i} LIMIT :cap"  # noqa: S608
        else:
            query, binds = _tsquery([t], prefix=f"c{i}_")
            params.update(binds)
            inner = f"SELECT 1 FROM {PG_TABLE} WHERE body @@ {query} LIMIT :cap"  # noqa: S608
        # Only generated placeholders and constant table names are formatted in.
        parts.append(f"SELECT {i} AS k, count(*) AS n FROM ({inner}) AS s{i}")  # noqa: S608
    found = {int(k): int(n) for k, n in session.execute(text(" UNION ALL ".join(parts)),
                                                        params)}
    return [found.get(i, 0) for i in range(len(terms))]


def any_of_ids(session: Session, clauses: Sequence[Sequence[QueryTerm]], limit: int,
               window: int = RANK_WINDOW) -> list[int]:
    """The best-ranked ids of quotes that match any of ``clauses`` (each an AND of terms).

    SQLite ranks by bm25 only the newest ``window`` matches (as ``_fts5_window`` does);
    PostgreSQL by ts_rank. Every word is a quoted string or a bound value, never SQL.
    """
    clauses = [c for c in clauses if c]
    if not clauses:
        return []
    if is_sqlite_session(session):
        match = " OR ".join(f"({fts5_match(list(c))})" for c in clauses)
        sql = (f"SELECT rowid FROM (SELECT rowid, rank FROM {FTS_TABLE} "  # noqa: S608
               f"WHERE {FTS_TABLE} MATCH :m ORDER BY rowid DESC LIMIT :w) "
               "ORDER BY rank LIMIT :lim")
        params: dict[str, Any] = {"m": match, "w": window, "lim": limit}
    else:
        queries: list[str] = []
        params = {"lim": limit}
        for i, c in enumerate(clauses):
            query, binds = _tsquery(list(c), prefix=f"o{i}_")
            queries.append(query)
            params.update(binds)
        query = "(" + " || ".join(queries) + ")"
        sql = (f"SELECT quote_id FROM {PG_TABLE} WHERE body @@ {query} "  # noqa: S608
               f"ORDER BY ts_rank(body, {query}) DESC LIMIT :lim")
    return [int(r[0]) for r in session.execute(text(sql), params)]
