"""Full-text search over quotes: the one place with per-dialect SQL.

SQLite: an FTS5 table ``quote_fts`` (``unicode61 remove_diacritics 0`` so å/ä/ö stay apart) whose
rows hold, in three columns, the *stemmed* words of each quote (``body``, in order, for
phrases), the stems of their lemmas and of the parts of Swedish compounds where those differ
(``extra``, see ``app.storage.lexicon``), and the names of the quote's speaker and of the
entities it mentions (``names``), ranked bm25 with weights 1 / 0.5 / 4 (a query naming a
speaker brings that speaker's quotes first); the query is stemmed the same way in Python, every
term is quoted (so ``-``, ``AND``, ``(``, ``*``, ``'`` and stray ``"`` are plain words) and the
last bare word becomes a prefix for type-ahead; ``OR`` between words and ``-word`` work, and
``speaker:``/``entity:`` are read apart (``split_fields``). PostgreSQL: a GIN-indexed tsvector
table ``quote_search`` of the same stems ('simple' configuration; body weight B, extra C, names
A: ts_rank's 0.4 / 0.2 / 1.0), ranked by ts_rank. ``ranked_ids``
is the fast path for a ranked text search: one full-text statement reads the newest
``rank_window`` + 1 matches with their scores, which give the page (ranked here), the total
(exact up to the window, estimated past it) and the newest matches the facets are counted
over (``Hits.newest``), see ``_windowed``.
"""

from __future__ import annotations

import heapq
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import snowballstemmer
from sqlalchemy import Float, Integer, and_, func, or_, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.storage import pgwindows
from app.storage.db import TRIGRAMS
from app.storage.lexicon import compound_heads, compound_parts, lemma_stem
from app.storage.models import Entity, EntityMention, Quote, Speaker, like_escape

FTS_TABLE = "quote_fts"
PG_TABLE = "quote_search"
# A text search ranks at most this many (the newest) matches, and counts at most this many
# exactly (an estimate beyond); see _windowed and rank_window. Each match ranked costs a bm25
# score on SQLite (~3-7 µs: its column sizes and positions) and a heap row on PostgreSQL:
# 10,000 on SQLite cost ~20-50 ms a common word at 100,000 quotes (bench/http_distinct.py's
# search tail).
RANK_WINDOW = 1_000
# SQLite's window (rank_window): at a million quotes most searches of the distinct-URL
# benchmark fill a window of 1,000 (at 100,000 nine in ten match fewer than ~130), so the
# scores were what grew with the archive; 250 (12 pages of 20) bounds them. PostgreSQL keeps
# RANK_WINDOW: a smaller LIMIT there makes its planner walk the primary key backwards for
# words it takes for common (bench/README.md, "Search at a million quotes").
SQLITE_RANK_WINDOW = 250
# What the verification of a pasted quote ranks (any_of_ids): its own, wider window.
VERIFY_WINDOW = 10_000
WORD_RE = re.compile(r"\w+", re.UNICODE)
PHRASE_RE = re.compile(r'"([^"]*)"')
# A field (speaker:lavrov, entity:"Keir Starmer"), a phrase, or a bare token, in query order.
TOKEN_RE = re.compile(r'(?i)\b(speaker|entity|talare|enhet):\s*("[^"]*"|[^\s"]+)|"([^"]*)"|(\S+)')
FIELD_NAMES = {"speaker": "speaker", "talare": "speaker", "entity": "entity", "enhet": "entity"}
# bm25 weights of the FTS5 columns (body, extra, names) and the same order for PostgreSQL.
BM25_WEIGHTS = (1.0, 0.5, 4.0)
FTS_RANK = "bm25(quote_fts, 1.0, 0.5, 4.0)"
STEMMER_LANGUAGES = {"sv": "swedish", "en": "english"}
WHOLE_WORD = 6  # a word being typed this long is taken as a whole word too (see _typed)
# A word being typed shorter than this is matched as a whole word only: FTS5 expands a prefix
# by merging the list of quotes of every indexed word that starts with it, in memory, before
# it returns a row ("s"* at 100,000 quotes: ~30 ms; "i", "en", "på" are words of their own).
MIN_PREFIX = 3


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
    """What goes into the ``body`` column for a quote: its stemmed words, in order."""
    return " ".join(stem(w, lang) for w in words(text_))


@lru_cache(maxsize=200_000)
def _extra(word: str, lang: str) -> tuple[str, ...]:
    own = stem(word, lang)
    out: list[str] = []
    lem = lemma_stem(word, lang)
    if lem and lem != own:
        out.append(lem)
    if lang == "sv":
        out += [p for p in compound_parts(word) if p != own]
    return tuple(dict.fromkeys(out))


def index_extra(text_: str, lang: str) -> str:
    """What goes into the ``extra`` column: the stems of the words' lemmas and of the parts of
    Swedish compounds, where they differ from the word's own stem, each once."""
    seen: dict[str, None] = {}
    for w in words(text_):
        for s in _extra(w, lang):
            seen.setdefault(s)
    return " ".join(seen)


def index_names(names: Sequence[str], lang: str) -> str:
    """What goes into the ``names`` column: each name's words, lower-cased and stemmed."""
    seen: dict[str, None] = {}
    for name in names:
        for w in words(name):
            seen.setdefault(w)
            seen.setdefault(stem(w, lang))
    return " ".join(seen)


@dataclass(frozen=True)
class IndexRow:
    """The three indexed texts of one quote."""

    body: str
    extra: str
    names: str


def index_row(text_: str, lang: str, names: Sequence[str] = ()) -> IndexRow:
    """The search row of a quote: stems, lemma/compound stems, names."""
    return IndexRow(index_body(text_, lang), index_extra(text_, lang), index_names(names, lang))


@dataclass(frozen=True)
class QueryTerm:
    """One word or phrase of a user query, with its stems in each language.

    The word being typed (``prefix``) is the word as typed, lower-cased, matched as the start
    of an indexed stem, or one of its stems (``exact``) matched whole: see :func:`parse_query`.
    """

    alternatives: tuple[tuple[str, ...], ...]  # one stem sequence per language, deduplicated
    prefix: bool = False
    exact: tuple[str, ...] = ()  # a prefix term's stems (those unlike the typed word)
    negated: bool = False  # -word: quotes with it are left out
    whole: tuple[str, ...] = ()  # a prefix term's stems matched whole in every column


def split_fields(q: str) -> tuple[str, dict[str, list[str]]]:
    """The query without its ``speaker:``/``entity:`` fields (also ``talare:``/``enhet:``), and
    the fields' values (quotes taken off): they name filters, not words."""
    fields: dict[str, list[str]] = {}
    rest: list[str] = []
    for m in TOKEN_RE.finditer(q[:500]):
        if m.group(1):
            value = m.group(2).strip('"').strip()
            if value:
                fields.setdefault(FIELD_NAMES[m.group(1).lower()], []).append(value)
        else:
            rest.append(m.group())
    tail = " " if q[:500].endswith(" ") else ""
    return " ".join(rest) + (tail if rest else ""), fields


def parse_query(q: str) -> list[QueryTerm]:
    """Split user input into phrases ("…") and words; any input gives a (maybe empty) list.

    ``a OR b`` is one term with both words' stems as alternatives; ``-word`` and ``-"a
    phrase"`` are negated terms (ignored when nothing positive is left); ``speaker:`` and
    ``entity:`` fields are no terms (see ``split_fields``). Every word is a quoted string in
    the engine's query: the operators are read here, never passed through.
    """
    q, _ = split_fields(q[:500])
    tokens: list[tuple[str, bool, bool]] = []  # (text, is_phrase, negated)
    for m in TOKEN_RE.finditer(q):
        if m.group(3) is not None:
            tokens.append((m.group(3), True, False))
            continue
        raw = m.group(4) or ""
        if raw.startswith("-\"") and raw.endswith("\"") and len(raw) > 2:
            tokens.append((raw[2:-1], True, True))
        elif raw.startswith("-") and len(raw) > 1 and words(raw[1:]):
            tokens.append((raw[1:], False, True))
        else:
            tokens.append((raw, False, False))
    # The last bare word is a prefix only while it is being typed (no trailing space).
    last_typed = bool(tokens) and not q.endswith((" ", '"')) and not tokens[-1][1] \
        and not tokens[-1][2] and len(words(tokens[-1][0])) == 1
    terms: list[QueryTerm] = []
    pending_or = False
    count = 0
    for i, (tok, phrase, neg) in enumerate(tokens):
        if not phrase and not neg and tok == "OR" and terms and i < len(tokens) - 1:
            pending_or = True
            continue
        ws = words(tok)
        if not ws:
            continue
        if phrase:
            new = [QueryTerm(_alternatives(ws), negated=neg)]
        elif last_typed and i == len(tokens) - 1:
            new = [_typed(ws[0]) if len(ws[0]) >= MIN_PREFIX
                   else QueryTerm(_alternatives(ws), negated=neg)]
        else:
            new = [QueryTerm(_alternatives([w]), negated=neg) for w in ws]
        for t in new:
            if count >= 20:
                break
            if pending_or and terms and not t.negated and not terms[-1].negated:
                terms[-1] = _either(terms[-1], t)
            else:
                terms.append(t)
                count += 1
            pending_or = False
    if all(t.negated for t in terms):
        return []
    return terms


def _either(a: QueryTerm, b: QueryTerm) -> QueryTerm:
    """One term matching either of two (``a OR b``); a prefix side keeps its exact stems."""
    if a.prefix or b.prefix:
        p, other = (a, b) if a.prefix else (b, a)
        extra = tuple(" ".join(seq) for seq in other.alternatives if len(seq) == 1)
        return QueryTerm(p.alternatives, prefix=True, exact=p.exact,
                         whole=tuple(dict.fromkeys(p.whole + extra)))
    return QueryTerm(tuple(dict.fromkeys(a.alternatives + b.alternatives)))


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
    snowball = {stem(w, lang) for lang in STEMMER_LANGUAGES} - {w}
    lemmas = {lemma_stem(w, lang) for lang in STEMMER_LANGUAGES} - {None, w}
    # A known inflected form (in the lemma tables) or a longer word is a whole word already:
    # its stems may meet lemmas and compound parts (flyktingar -> klimatflyktingar); a short
    # text being typed ("huse") only the quote's own words.
    whole = sorted(str(x) for x in lemmas)
    if lemmas or len(w) >= WHOLE_WORD:
        whole = sorted(snowball | {str(x) for x in lemmas})
        return QueryTerm(((w,),), prefix=True, whole=tuple(whole))
    return QueryTerm(((w,),), prefix=True, exact=tuple(sorted(snowball)))


def _alternatives(ws: list[str]) -> tuple[tuple[str, ...], ...]:
    """The stem sequences of these words in each language; for one word also the stems of its
    lemmas (``män`` -> ``man``, ``allianser`` -> ``allian``), which meet the ``extra`` column."""
    alts: list[tuple[str, ...]] = []
    for lang in STEMMER_LANGUAGES:
        s = tuple(stem(w, lang) for w in ws)
        if s not in alts:
            alts.append(s)
    if len(ws) == 1:
        for lang in STEMMER_LANGUAGES:
            lem = lemma_stem(ws[0], lang)
            if lem and (lem,) not in alts:
                alts.append((lem,))
    return tuple(alts)


def fts5_match(terms: list[QueryTerm], column: str | None = None) -> str:
    """An FTS5 MATCH expression in which every user word is a quoted string (``column``: match
    in that column only, e.g. ``body``: the quote's own words)."""
    parts: list[str] = []
    nots: list[str] = []
    for t in terms:
        alts = []
        for seq in t.alternatives:
            quoted = '"' + " ".join(s.replace('"', "") for s in seq) + '"'
            alts.append(quoted + ("*" if t.prefix and len(seq) == 1 else ""))
        # A prefix term's whole-word stems in the quote's own words only: "huse" is "huset"
        # being typed, not the "hus" of husdjuren's compound parts.
        alts += ['body : "' + s.replace('"', "") + '"' for s in t.exact]
        alts += ['"' + s.replace('"', "") + '"' for s in t.whole]
        (nots if t.negated else parts).append(
            alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    if not parts:
        return ""
    out = " AND ".join(parts)
    if nots:
        out = "(" + out + ") NOT (" + " OR ".join(nots) + ")"
    if column:
        out = column + " : (" + out + ")"
    return out


def highlight_spans(text_: str, q: str) -> list[tuple[int, int]]:
    """Character spans of ``text_`` whose word stems match the query (for <mark>).

    A word is stemmed only when a stem of it could match: a Swedish Snowball stem is the
    start of its word, so a word that begins with none of the query's stems has no Swedish
    stem among them, and an English stem keeps its word's first letter (its lemmas, a table
    look-up, are always compared); and a word is split as a compound only when one of the
    query's stems is a piece of it or a lemma of a piece (``lexicon.compound_heads``).
    Pure-Python Snowball costs ~70 µs a word and a compound split ~2 ms, so a page of twenty
    quotes of words never seen before cost ~50 ms, nearly all of it on words that match
    nothing."""
    exact, own, prefixes = _highlighted(q)
    if not exact and not prefixes and not own:
        return []
    return [m.span() for m in WORD_RE.finditer(text_) if _marked(m.group().lower(), q)]


@lru_cache(maxsize=65_536)
def _marked(w: str, q: str) -> bool:
    """Whether the query ``q`` marks the lower-cased word ``w`` (``highlight_spans``; kept
    per word and query: a page of results repeats most of its words, "och", "att", the
    speaker's name, and each was stemmed and compared again)."""
    exact, own, prefixes = _highlighted(q)
    starts, initials = _beginnings(exact, own, prefixes)
    stems = _word_stems(w, w.startswith(starts), initials is None or w[:1] in initials)
    if stems & own:
        return True
    found = stems.union(_word_lemmas(w))
    if exact - found and len(w) >= 7 and _parts_may_match(w, exact, prefixes):
        found = found | set(_extra(w, "sv"))
    return bool(found & exact) or any(s.startswith(p) for s in found for p in prefixes)


@lru_cache(maxsize=1024)
def _beginnings(exact: frozenset[str], own: frozenset[str], prefixes: frozenset[str]
                ) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """The query's stems (a word that begins with none of them has no Swedish stem among
    them) and their first letters (likewise for an English stem; ``None``: an empty stem,
    which begins every word)."""
    every = exact | own | prefixes
    return tuple(sorted(every)), None if "" in every else frozenset(s[0] for s in every)


def _parts_may_match(w: str, exact: frozenset[str], prefixes: frozenset[str]) -> bool:
    """Whether a part of the compound ``w`` could be one of ``exact`` or begin with one of
    ``prefixes``: each part is a piece of ``w`` or one of ``compound_heads(w)``."""
    if any(s in w for s in exact) or any(p in w for p in prefixes):
        return True
    heads = compound_heads(w)
    return not exact.isdisjoint(heads) or any(h.startswith(p) for h in heads for p in prefixes)


@lru_cache(maxsize=1024)
def _highlighted(q: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The stems a query marks: matched whole, matched in a word's own stems only (see
    ``fts5_match``), and prefixes (parsed once for a page's twenty rows)."""
    exact: set[str] = set()
    own: set[str] = set()
    prefixes: set[str] = set()
    for t in parse_query(q):
        if t.negated:
            continue
        for seq in t.alternatives:
            (prefixes if t.prefix else exact).update(seq)
            if t.prefix:
                exact.update(seq[:-1])
        own.update(t.exact)
        exact.update(t.whole)
    return frozenset(exact), frozenset(own), frozenset(prefixes)


def _word_stems(w: str, swedish: bool, english: bool) -> set[str]:
    """A word's own Snowball stems: the Swedish one, the English one, or both."""
    out: set[str] = set()
    if swedish:
        out.add(stem(w, "sv"))
    if english:
        out.add(stem(w, "en"))
    return out


@lru_cache(maxsize=100_000)
def _word_lemmas(w: str) -> tuple[str, ...]:
    """The stems of a word's lemmas in each language (table look-ups), each once: a tuple of
    strings, which the garbage collector stops following once it has met it (a set, most of
    them empty, it walked at every collection: up to 100,000 are kept here)."""
    return tuple(dict.fromkeys(s for lang in STEMMER_LANGUAGES if (s := lemma_stem(w, lang))))


def month_of(session: Session, value: Any) -> Any:
    """SQL for the ``YYYY-MM`` month of a timestamp, in this session's dialect."""
    if is_sqlite_session(session):
        return func.strftime("%Y-%m", value)
    return func.to_char(value, "YYYY-MM")


def is_sqlite_session(session: Session) -> bool:
    """Whether this session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


NAME_CANDIDATES = 50


def _has_trigrams(session: Session) -> bool:
    """Whether pg_trgm's ``%`` and ``similarity`` are usable (``db.make_engine`` asks each
    new PostgreSQL connection)."""
    return (session.get_bind().dialect.name == "postgresql"
            and bool(session.connection().info.get(TRIGRAMS, False)))


def name_candidates(session: Session, ident: Any, keys: Sequence[Any], key: str,
                    limit: int = NAME_CANDIDATES, min_ratio: int = 0) -> list[tuple[Any, ...]]:
    """Rows ``(ident, *keys)`` whose casefolded name columns ``keys`` could be ``key``
    misspelt, for a closer comparison in Python. PostgreSQL with pg_trgm: the ``limit`` most
    similar among those sharing enough trigrams with it (``%``, on the GIN trigram indexes of
    0007/0013), whatever letter they begin with. Otherwise: every row whose name begins
    with the same letter (a typo rarely hits it) and whose length allows a RapidFuzz ratio
    of ``min_ratio`` (0-100) with ``key``."""
    table_cols = select(ident, *keys)
    if _has_trigrams(session):
        similar = [k.op("%")(key) for k in keys]
        closest = func.greatest(*(func.similarity(k, key) for k in keys))
        query = table_cols.where(or_(*similar)).order_by(closest.desc(), ident).limit(limit)
    else:
        first = like_escape(key[0]) + "%"
        lo, hi = ratio_lengths(len(key), min_ratio)
        query = table_cols.where(or_(*(and_(k.like(first, escape="\\"),
                                            func.length(k).between(lo, hi)) for k in keys)))
    return [tuple(row) for row in session.execute(query)]


def ratio_lengths(n: int, min_ratio: int) -> tuple[int, int]:
    """The lengths a string may have to reach a RapidFuzz ``ratio`` of ``min_ratio`` with a
    string of ``n`` characters: the ratio is 100 · (1 − d / (n + m)) and the edit distance d
    is at least |n − m|, so |n − m| · 100 ≤ (100 − min_ratio) · (n + m). Exact: no name
    left out could have matched."""
    fits = [m for m in range(0, 4 * n + 2) if abs(n - m) * 100 <= (100 - min_ratio) * (n + m)]
    return (min(fits), max(fits)) if min_ratio > 0 and fits else (0, 10**6)


def create_search_index(session: Session) -> None:
    """Create the FTS table if missing (migrations do this; tests on bare metadata too)."""
    if is_sqlite_session(session):
        session.exec(text(FTS5_DDL))  # type: ignore[call-overload]
        session.exec(text(FTS5_RANK_CONFIG))  # type: ignore[call-overload]


FTS5_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, extra, names, tokenize = 'unicode61 remove_diacritics 0')"
)
# The default "rank" of the table: bm25 with the column weights (stored in the table's config).
FTS5_RANK_CONFIG = (f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) "  # noqa: S608
                    "VALUES ('rank', 'bm25(1.0, 0.5, 4.0)')")
PG_ROW = ("setweight(to_tsvector('simple', :body), 'B') || "
          "setweight(to_tsvector('simple', :extra), 'C') || "
          "setweight(to_tsvector('simple', :names), 'A')")


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
    names = quote_names(session, [q.id for q in quotes if q.id is not None])
    rows = []
    for q in quotes:
        row = index_row(q.text, q.language, names.get(q.id or 0, ()))
        rows.append({"id": q.id, "body": row.body, "extra": row.extra, "names": row.names})
    if is_sqlite_session(session):
        sql = (f"INSERT INTO {FTS_TABLE}(rowid, body, extra, names) "  # noqa: S608
               "VALUES (:id, :body, :extra, :names)")
        session.execute(text(sql), rows)
        return
    # One statement for all the rows, each column as one array (no statement per row).
    weighted = PG_ROW.replace(":body", "u.body").replace(":extra", "u.extra").replace(
        ":names", "u.names")
    sql = (f"INSERT INTO {PG_TABLE}(quote_id, body) SELECT u.id, {weighted} "  # noqa: S608
           "FROM unnest(CAST(:id AS integer[]), CAST(:body AS text[]), CAST(:extra AS text[]), "
           "CAST(:names AS text[])) AS u(id, body, extra, names)")
    session.execute(text(sql), {key: [r[key] for r in rows] for key in rows[0]})


def quote_names(session: Session, quote_ids: list[int]) -> dict[int, list[str]]:
    """The names indexed with each quote: its speaker's, and those of the entities mentioned
    inside its span (``Trump`` in the text is indexed as ``Donald Trump`` too)."""
    out: dict[int, list[str]] = {}
    for i in range(0, len(quote_ids), 500):
        chunk = quote_ids[i:i + 500]
        spoken = (select(Quote.id, Speaker.name)
                  .join(Speaker, col(Speaker.id) == Quote.speaker_id)
                  .where(col(Quote.id).in_(chunk)))
        mentioned = (select(Quote.id, Entity.name)
                     .join(EntityMention, and_(
                         col(EntityMention.article_id) == Quote.article_id,
                         col(EntityMention.start) >= Quote.start,
                         col(EntityMention.end) <= Quote.end))
                     .join(Entity, col(Entity.id) == EntityMention.entity_id)
                     .where(col(Quote.id).in_(chunk)))
        for stmt in (spoken, mentioned):
            for qid, name in session.exec(stmt):
                names = out.setdefault(int(qid or 0), [])
                if name not in names:
                    names.append(str(name))
    return out


def reindex_where(session: Session, *, ids: Sequence[int] = (), speaker_id: int | None = None
                  ) -> None:
    """Rewrite the search rows of these quotes, or of every quote of this speaker (after a
    correction changed the names they are indexed with)."""
    stmt = select(Quote)
    if speaker_id is not None:
        stmt = stmt.where(Quote.speaker_id == speaker_id)
    elif ids:
        stmt = stmt.where(col(Quote.id).in_(list(ids)))
    else:
        return
    session.flush()
    quotes = list(session.exec(stmt).all())
    for i in range(0, len(quotes), 500):
        index_quotes(session, quotes[i:i + 500])


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
                f"SELECT rowid AS qid, {FTS_RANK} AS rank FROM {FTS_TABLE} "  # noqa: S608
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


@dataclass(frozen=True)
class Hits:
    """One page of a ranked text search: its ids, and how many quotes match (``estimated``:
    about that many, see :func:`ranked_ids`); ``newest``: the ids of the newest matches read
    (up to the window, newest first), which the facets count without searching again; ``None``
    when they were not read."""

    ids: list[int]
    total: int
    estimated: bool = False
    newest: tuple[int, ...] | None = None


def ranked_ids(
    session: Session, q: str, limit: int, offset: int = 0, speaker_id: int | None = None
) -> Hits | None:
    """The ids of the best-ranked quotes matching ``q`` (one page) and how many match.

    The fast path for a text search with at most a speaker filter: only the index is searched,
    so only one page of quote rows is ever read, and the count never touches the quote table
    (hidden quotes are never in the index). Only the newest ``rank_window`` matches are ranked
    (``_windowed``), and at most that many counted: past it the total is an estimate
    (``Hits.estimated``). ``None`` when ``q`` holds no words.
    """
    terms = parse_query(q)
    if not terms:
        return None
    if speaker_id is None:
        return _windowed(session, terms, limit, offset)
    if not is_sqlite_session(session):
        return _pg_windowed(session, terms, limit, offset, speaker_id)
    params: dict[str, Any] = {"m": fts5_match(terms), "lim": limit, "off": offset}
    # The speaker's quotes come from ix_quote_speaker_id into a set that the match scan
    # probes. "+rowid" keeps FTS5 from turning the IN into one MATCH per rowid (2 ms
    # each), and bm25() rather than "rank" scores only the rows that pass (FTS5 sorts
    # by "rank" itself, scoring every match first).
    params["sp"] = speaker_id
    base = (f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m "  # noqa: S608
            "AND +rowid IN (SELECT id FROM quote WHERE speaker_id = :sp)")
    top = f"SELECT rowid {base} ORDER BY {FTS_RANK} LIMIT :lim OFFSET :off"
    count = f"SELECT count(*) {base}"
    ids = [int(r[0]) for r in session.execute(text(top), params).all()]
    if offset == 0 and len(ids) < limit:
        return Hits(ids, len(ids))  # the whole set is on this page: no count needed
    return Hits(ids, int(session.execute(text(count), params).scalar_one()))


def newest_matches(
    session: Session, q: str, limit: int, speaker_id: int | None = None
) -> tuple[str, dict[str, Any]] | None:
    """SQL (one column, ``qid``) selecting the newest ``limit`` quotes matching ``q`` (by id,
    no ranking: cheap on both engines), and its parameters; ``None`` when ``q`` holds no
    words. The SQL is made of constants and placeholders only, to be used as a sub-select."""
    terms = parse_query(q)
    if not terms:
        return None
    if is_sqlite_session(session):
        params: dict[str, Any] = {"m": fts5_match(terms), "lim": limit}
        sql = f"SELECT rowid AS qid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m"  # noqa: S608
    elif _pg_one_word(terms, speaker_id):  # the planner's own choice (see _pg_newest)
        query, binds = _tsquery(terms)
        return (f"SELECT quote_id AS qid FROM {PG_TABLE} WHERE body @@ {query} "  # noqa: S608
                "ORDER BY quote_id DESC LIMIT :lim", {**binds, "lim": limit})
    else:
        # The ids found here (bounded work, see _pg_newest), handed on as one array value.
        return ids_as_rows(session, [int(r[0]) for r in _pg_newest(
            session, terms, limit, speaker_id=speaker_id)])
    key = "rowid"
    if speaker_id is not None:
        params["sp"] = speaker_id
        sql += f" AND +{key} IN (SELECT id FROM quote WHERE speaker_id = :sp)"  # noqa: S608
    return sql + f" ORDER BY {key} DESC LIMIT :lim", params


def rank_window(session: Session) -> int:
    """How many of the newest matches a text search ranks and counts exactly: RANK_WINDOW,
    on SQLite at most SQLITE_RANK_WINDOW."""
    if is_sqlite_session(session):
        return min(RANK_WINDOW, SQLITE_RANK_WINDOW)
    return RANK_WINDOW


def ids_as_rows(session: Session, ids: Sequence[int]) -> tuple[str, dict[str, Any]]:
    """SQL (one column, ``qid``) yielding these ids, and its parameters: one bound value
    (a JSON array on SQLite, an integer array on PostgreSQL), never a placeholder per id."""
    if is_sqlite_session(session):
        return "SELECT value AS qid FROM json_each(:sample_ids)", {
            "sample_ids": json.dumps([int(i) for i in ids])}
    return "SELECT unnest(CAST(:sample_ids AS integer[])) AS qid", {
        "sample_ids": [int(i) for i in ids]}


def _windowed(session: Session, terms: list[QueryTerm], limit: int, offset: int) -> Hits:
    """Top ids for a text search, ranking only the newest ``rank_window`` matches.

    Ranking has to score every match before ORDER BY rank LIMIT can answer: bm25 ~3-7 µs a
    match, so a word in 10^5 quotes cost 200+ ms. Only the newest rank_window matches (by id,
    which both indexes give without scoring) are ranked; beyond them the list goes on newest
    first. One statement reads them with their scores (and the archive's first and last id):
    FTS5 evaluates a MATCH once (a common prefix such as ``"och"*`` merges every matching
    term's list of quotes in memory first, each time it is asked), and the page, the total
    and the facets' sample (``Hits.newest``) all come from that one read. Ranked here by
    bm25, newest first among equals. PostgreSQL: :func:`_pg_windowed`.
    """
    if not is_sqlite_session(session):
        return _pg_windowed(session, terms, limit, offset)
    params: dict[str, Any] = {"m": fts5_match(terms)}
    match = f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m"
    newest = (f"SELECT rowid, rank, (SELECT min(id) FROM quote), "  # noqa: S608
              f"(SELECT max(id) FROM quote) {match} ORDER BY rowid DESC LIMIT :k")
    window = rank_window(session)
    rows = list(session.execute(text(newest), {**params, "k": window + 1}).all())
    # bm25: lower is better; FTS5 reports it as a negative number.
    return _window_hits(session, rows, lambda r: (float(r[1]), -int(r[0])), match, params,
                        "rowid", limit, offset, window)


def _window_hits(session: Session, rows: list[Any], order: Any, match: str,
                 params: dict[str, Any], key: str, limit: int, offset: int,
                 window: int) -> Hits:
    """A page and the total from the newest ``window`` + 1 matches ``rows`` (id, score,
    the archive's first id, its last id; newest first), ranked by ``order``. Up to the window
    the total is exact; past it an estimate from how densely the window's matches lie among
    the newest ids (:func:`estimate_total`)."""
    newest = rows[:window]
    # The best offset + limit only (the keys hold the id: no ties), not the whole window
    # sorted: ~0.12 ms less of a search that finds a thousand quotes.
    ranked = heapq.nsmallest(offset + limit, newest, key=order)
    ids = [int(r[0]) for r in ranked[offset:]]
    if offset + limit > window and len(rows) > window:
        ids += _newest_beyond(session, match, params, key, window, limit, offset)
    kept = tuple(int(r[0]) for r in newest)
    if len(rows) <= window:
        return Hits(ids, len(rows), newest=kept)
    first_id, last_id, oldest = int(rows[0][2]), int(rows[0][3]), int(newest[-1][0])
    # The window holds ``window`` matches among the ids oldest..last_id: the same share of
    # an id span as estimate_total's first..last (it counts from the other end).
    return Hits(ids, estimate_total(window, first_id + last_id - oldest, first_id, last_id),
                True, kept)


def _newest_beyond(session: Session, match: str, params: dict[str, Any], key: str,
                   window: int, limit: int, offset: int) -> list[int]:
    """The part of a page past the ranked window: the next matches, newest first."""
    skip = max(offset, window)
    rest = f"SELECT {key} {match} ORDER BY {key} DESC LIMIT :n OFFSET :skip"
    return [int(r[0]) for r in session.execute(
        text(rest), {**params, "n": offset + limit - skip, "skip": skip})]


def _pg_windowed(session: Session, terms: list[QueryTerm], limit: int, offset: int,
                 speaker_id: int | None = None) -> Hits:
    """``_windowed`` on PostgreSQL: the newest ``rank_window`` + 1 matches with their
    ts_rank (:func:`_pg_newest`), ranked here (ts_rank DESC, newest first among equals).
    Ranking every match read each one's heap row (a common word at a million quotes:
    ~0.4 s)."""
    query, binds = _tsquery(terms)
    params: dict[str, Any] = dict(binds)
    match = f"FROM {PG_TABLE} WHERE body @@ {query}"
    if speaker_id is not None:
        params["sp"] = speaker_id
        match += " AND quote_id IN (SELECT id FROM quote WHERE speaker_id = :sp)"
    window = rank_window(session)
    rows = sorted(_pg_newest(session, terms, window + 1, ranked=True,
                             speaker_id=speaker_id), key=lambda r: -int(r[0]))
    return _window_hits(session, rows, lambda r: (-float(r[1]), -int(r[0])), match, params,
                        "quote_id", limit, offset, window)


# Rows of the search table a PostgreSQL search may read newest first, along its primary key,
# before it turns to the GIN index (see _pg_newest).
PG_SCAN = 30_000


def _pg_newest(session: Session, terms: list[QueryTerm], n: int, *, ranked: bool = False,
               speaker_id: int | None = None) -> list[Any]:
    """Rows ``(quote_id[, ts_rank, min id, max id])`` of the newest ``n`` matches on
    PostgreSQL, for a bounded amount of work.

    Words: one statement, ``ORDER BY quote_id DESC LIMIT n``, which the planner answers off
    the primary key walked backwards with the match as a filter when the words are common (a
    few thousand rows read) or off the GIN index when they are rare; its estimate of a word's
    share is good, its price of the walk is not: words the statistics say match ``n`` quotes
    or more are asked in id windows, newest first (:mod:`app.storage.pgwindows`).
    A phrase, a word left out or a speaker: the planner misjudges their share
    and may walk the whole table backwards for a phrase it thinks common (seconds at a
    million quotes), so the newest PG_SCAN rows are searched first, and only when fewer than
    ``n`` match there is the GIN index asked (``quote_id + 0``: never the backwards walk),
    which then finds few matches.
    """
    query, binds = _tsquery(terms)
    cols = "quote_id"
    if ranked:
        cols += (f", ts_rank(body, {query}), (SELECT min(id) FROM quote), "  # noqa: S608
                 "(SELECT max(id) FROM quote)")
    where = f"body @@ {query}"
    params: dict[str, Any] = {**binds, "n": n, "scan": PG_SCAN}
    if speaker_id is not None:
        params["sp"] = speaker_id
        where += " AND quote_id IN (SELECT id FROM quote WHERE speaker_id = :sp)"
    # Only generated placeholders and constant names are formatted in.
    if _pg_one_word(terms, speaker_id):
        st = pgwindows.stats(session)
        bounds = pgwindows.windows(st, pgwindows.share(terms, st), n)
        if bounds:  # common enough for the planner to walk too far: id windows
            sql, more = pgwindows.windowed_sql(cols, PG_TABLE, where, bounds)
            return list(session.execute(text(sql), {**params, **more}).all())
        return list(session.execute(text(
            f"SELECT {cols} FROM {PG_TABLE} WHERE {where} "  # noqa: S608
            "ORDER BY quote_id DESC LIMIT :n"), params).all())
    rows = list(session.execute(text(
        f"SELECT {cols} FROM (SELECT quote_id, body FROM {PG_TABLE} "  # noqa: S608
        f"ORDER BY quote_id DESC LIMIT :scan) AS newest WHERE {where} "
        "ORDER BY quote_id DESC LIMIT :n"), params).all())
    if len(rows) >= n:
        return rows
    return list(session.execute(text(
        f"SELECT {cols} FROM {PG_TABLE} WHERE {where} "  # noqa: S608
        "ORDER BY quote_id + 0 DESC LIMIT :n"), params).all())


def _pg_one_word(terms: list[QueryTerm], speaker_id: int | None) -> bool:
    """Whether PostgreSQL's planner can be left to find a search's newest matches: words
    (each alternative a single stem: no phrase), none left out, no speaker."""
    return speaker_id is None and all(
        not t.negated and all(len(seq) == 1 for seq in t.alternatives) for t in terms)


def estimate_total(found: int, last: int, first_id: int, last_id: int) -> int:
    """The matches over ids ``first_id``..``last_id`` if ``found`` of them lie at or below
    ``last``, as densely everywhere; rounded to two significant digits (it is an estimate),
    never below ``found``."""
    span = max(last - first_id + 1, 1)
    guess = found * max(last_id - first_id + 1, span) / span
    digits = max(len(str(int(guess))) - 2, 0)
    return max(found, int(round(guess, -digits)))


def _tsquery(terms: list[QueryTerm], prefix: str = "t") -> tuple[str, dict[str, str]]:
    """A tsquery built from bound parameters only: every stem is a value, never SQL.

    ``prefix`` names the parameters, so that several tsqueries can go into one statement.
    """
    params: dict[str, str] = {}
    ands: list[str] = []
    nots: list[str] = []
    for i, t in enumerate(terms):
        ors: list[str] = []
        for j, seq in enumerate(t.alternatives):
            name = f"{prefix}{i}_{j}"
            params[name] = " ".join(seq)
            if t.prefix and len(seq) == 1:
                ors.append(f"to_tsquery('simple', quote_literal(:{name}) || ':*')")
            else:
                ors.append(f"phraseto_tsquery('simple', :{name})")
        for j, word in enumerate(t.whole):
            name = f"{prefix}{i}_w{j}"
            params[name] = word
            ors.append(f"phraseto_tsquery('simple', :{name})")
        for j, word in enumerate(t.exact):  # in the quote's own words (weight B) only
            name = f"{prefix}{i}_x{j}"
            params[name] = word
            ors.append(f"to_tsquery('simple', quote_literal(:{name}) || '\\:B')")
        (nots if t.negated else ands).append("(" + " || ".join(ors) + ")")
    return "(" + " && ".join(ands + ["!!" + n for n in nots]) + ")", params


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
            params[f"m{i}"] = fts5_match([t], column="body")
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
               window: int = VERIFY_WINDOW) -> list[int]:
    """The best-ranked ids of quotes that match any of ``clauses`` (each an AND of terms).

    SQLite ranks by bm25 only the newest ``window`` matches (as ``_windowed`` does);
    PostgreSQL by ts_rank. Every word is a quoted string or a bound value, never SQL.
    """
    clauses = [c for c in clauses if c]
    if not clauses:
        return []
    if is_sqlite_session(session):
        match = " OR ".join(f"({fts5_match(list(c), column='body')})" for c in clauses)
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
