"""PostgreSQL: the newest matches of a common search, id window by id window.

A search's newest ``n`` matches (``search._pg_newest``) were one statement, ``ORDER BY
quote_id DESC LIMIT n``, answered by the planner off the primary key walked backwards with the
match as a filter, or off the GIN index (every match's heap row read, then the newest kept).
The planner prices testing a row's tsvector (``cpu_operator_cost``) far below its cost and walks
backwards for words it thinks common enough: for a word in 0.5-2 % of a million quotes (a
typed prefix, two words it takes for independent) it walked 100,000-600,000 rows, 0.1-0.3 s,
where the same word at 100,000 quotes has fewer than ``n`` matches and the GIN index answers
it (``bench/pg_explain.py``; bench/README.md, branch ``pg1m``).

Here a search the statistics say has at least ``WINDOWED_FROM`` × ``n`` matches is asked in
id windows, newest first, in one statement (``UNION ALL`` under one ``LIMIT``: PostgreSQL
starts a window only if the newer ones held fewer than ``n`` matches). The first window is
sized to hold about ``2 n`` matches but at most ``WALK_MAX`` ids (the planner may walk it:
bounded); the next about ``n``, then each ``GROWTH`` times wider, read by their matches
(``quote_id + 0``: the planner ands the GIN index with the window's ids, ``BitmapAnd``), so
a search reads a window's matches, not all of them. The windows split the ids exactly (the
first is open above, the last below), so the answer is the same whatever the statistics
say; only the work depends on them.

The share of quotes a search matches is estimated as PostgreSQL's planner does
(``tsquerysel``): from the most common lexemes ``ANALYZE`` keeps for ``quote_search.body``
(``pg_stats``), read at startup (:func:`preload`) and again every ``STATS_SECONDS``.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Engine, text
from sqlmodel import Session

STATS_SECONDS = 300.0
# A search estimated to match fewer than this many times ``n`` quotes is left to the planner:
# it reads their heap rows off the GIN index (a bounded number), or walks backwards a table
# in which such a share fills ``n`` soon (at 100,000 quotes it turns to the walk at ~1,600
# matches, at 1,000,000 at ~5,000).
WINDOWED_FROM = 3.0
GROWTH = 4  # each window this many times the ids of the one before
MIN_WINDOW = 5_000  # ids; the first window at least this wide
WALK_MAX = 20_000  # ids; the first window at most this wide (a walk of it: ~3-6 ms)
DEFAULT_SHARE = 0.005  # PostgreSQL's DEFAULT_TS_MATCH_SEL


class Term(Protocol):
    """What is read of a ``search.QueryTerm``."""

    @property
    def alternatives(self) -> tuple[tuple[str, ...], ...]: ...
    @property
    def prefix(self) -> bool: ...
    @property
    def exact(self) -> tuple[str, ...]: ...
    @property
    def whole(self) -> tuple[str, ...]: ...
    @property
    def negated(self) -> bool: ...


@dataclass(frozen=True, eq=False)
class Stats:
    """What ``ANALYZE`` knows of ``quote_search``: lexeme → share of rows (the most common
    ones), the least share among them, the rows, and the highest quote id (when read)."""

    shares: dict[str, float]
    least: float
    rows: float
    max_id: int
    read_at: float

    def starting(self, prefix: str) -> float:
        """The summed shares of the kept lexemes that start with ``prefix``."""
        keys, sums = _sorted(self)
        lo = bisect.bisect_left(keys, prefix)
        hi = bisect.bisect_left(keys, prefix + "\U0010ffff")
        return sums[hi] - sums[lo]


@lru_cache(maxsize=8)
def _sorted(st: Stats) -> tuple[list[str], list[float]]:
    """The kept lexemes in order, and the running sums of their shares (from 0)."""
    keys = sorted(st.shares)
    return keys, [0.0, *itertools.accumulate(st.shares[k] for k in keys)]


_stats: dict[str, Stats] = {}
_lock = threading.Lock()


def stats(session: Session) -> Stats:
    """This database's ``Stats``, read at most every ``STATS_SECONDS`` a process."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    found = _stats.get(key)
    if found is not None and now - found.read_at < STATS_SECONDS:
        return found
    row = session.execute(text(
        "SELECT array_to_json(s.most_common_elems::text::text[]), "
        "array_to_json(s.most_common_elem_freqs), c.reltuples, "
        "(SELECT max(quote_id) FROM quote_search) "
        "FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
        "AND s.tablename = 'quote_search' AND s.attname = 'body' "
        "WHERE c.oid = to_regclass('quote_search')")).first()
    elems, freqs, rows, max_id = row if row is not None else (None, None, 0.0, None)
    shares: dict[str, float] = {}
    least = DEFAULT_SHARE * 2
    if elems and freqs and len(freqs) >= len(elems) + 2:
        shares = {str(e): float(f) for e, f in zip(elems, freqs, strict=False)}
        least = float(freqs[len(elems)])  # after the elements: their least, their most
    found = Stats(shares, least, max(float(rows or 0.0), 0.0), int(max_id or 0), now)
    with _lock:
        _stats[key] = found
    return found


def preload(engine: Engine) -> None:
    """Read the statistics before the first request (PostgreSQL only): a page then never
    waits for them but once every ``STATS_SECONDS``."""
    if engine.dialect.name == "postgresql":
        with Session(engine) as session:
            stats(session)


def share(terms: Sequence[Term], st: Stats) -> float:
    """The estimated share of quotes matching every positive term (the planner's rule: a
    lexeme kept in the statistics has its share, any other half the least kept, at most
    ``DEFAULT_SHARE`` / 2; a prefix the sum of the kept lexemes it starts; OR as
    independent events, AND and phrases as products)."""
    rare = min(st.least, DEFAULT_SHARE) / 2
    total = 1.0
    for t in terms:
        if t.negated:
            continue
        either = 0.0
        ones: list[float] = []
        for seq in t.alternatives:
            if t.prefix and len(seq) == 1:
                ones.append(max(st.starting(seq[0]), rare))
            else:
                p = 1.0
                for w in seq:
                    p *= st.shares.get(w, rare)
                ones.append(p)
        ones += [st.shares.get(w, rare) for w in (*t.whole, *t.exact)]
        for p in ones:
            either = either + p - either * p
        total *= either
    return total


def windows(st: Stats, matches_share: float, n: int) -> list[int] | None:
    """The lower id bounds of the windows, newest first (the last window is everything
    below the last bound); ``None``: leave this search to the planner (few matches
    expected, or nothing known of the table). The first window holds about ``2 n`` matches
    by the estimate but at most ``WALK_MAX`` ids (the planner may walk it); the next about
    ``n``, then each ``GROWTH`` times wider (read off the GIN index, see ``windowed_sql``)."""
    if st.rows <= 0 or st.max_id <= 0 or matches_share * st.rows < WINDOWED_FROM * n:
        return None
    per_match = st.max_id / st.rows / max(matches_share, 1e-9)  # ids a match, about
    width = min(max(int(2 * n * per_match), MIN_WINDOW), WALK_MAX)
    bounds = [st.max_id - width]
    width = max(int(n * per_match), 2 * width)
    while bounds[-1] - width > 0:
        bounds.append(bounds[-1] - width)
        width *= GROWTH
    return bounds if bounds[0] > 0 else None


def windowed_sql(cols: str, table: str, where: str, bounds: Sequence[int]
                 ) -> tuple[str, dict[str, Any]]:
    """One statement for the newest ``:n`` rows matching ``where``, window by window
    (``bounds`` from :func:`windows`); only constant names and placeholders are formatted
    in. Every window but the first is read by its matches (``quote_id + 0``: the planner may
    not walk it backwards; it ands the GIN index with the window's ids or filters them)."""
    params: dict[str, Any] = {}
    parts: list[str] = []
    for i, lo in enumerate(bounds):
        params[f"w{i}"] = lo
        above = f" AND quote_id <= CAST(:w{i - 1} AS integer)" if i else ""
        order = "quote_id + 0" if i else "quote_id"
        parts.append(f"(SELECT {cols} FROM {table} WHERE {where} "  # noqa: S608
                     f"AND quote_id > CAST(:w{i} AS integer){above} "
                     f"ORDER BY {order} DESC LIMIT :n)")
    parts.append(f"(SELECT {cols} FROM {table} WHERE {where} "  # noqa: S608
                 f"AND quote_id <= CAST(:w{len(bounds) - 1} AS integer) "
                 "ORDER BY quote_id + 0 DESC LIMIT :n)")
    return " UNION ALL ".join(parts) + " LIMIT :n", params
