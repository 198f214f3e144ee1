"""Search benchmark: the app's ranked search and facets against the best raw FTS5 query, and
(``--datasette``) the same queries over HTTP against Citat's JSON API and Datasette.

    python bench/search.py --n 1000000          # builds /tmp/citat-bench/search-1000000.db once
    python bench/search.py --n 100000 --datasette --rounds 1

Builds a SQLite database through the project's migrations, bulk-fills it with N synthetic
Swedish quotes (bench/corpus.py), then runs the same 200 mixed queries through
``app.storage.browse.search`` and through hand-written raw FTS5 SQL in the same run, and
prints p50/p95 per query kind and the ratio app/raw. Also times ``browse.facets``.

``--datasette`` (needs ``pip install datasette``; not a project dependency) also starts, on the
same database file and for the same run, one request at a time over a keep-alive
``httpx.Client`` on 127.0.0.1, interleaved query by query with the in-process measurements:

* **api**: the real app, ``uvicorn app.main:create_app --factory`` (1 worker, uvloop, httptools,
  no access log, ``CITAT_CACHE_SECONDS=0`` so nothing is cached), asked
  ``GET /api/quotes?q=<query>&limit=20`` (plus ``&speaker=<slug>`` for the speaker kind): JSON,
  one page of 20 quotes **ranked** by bm25 (over the newest ``rank_window`` matches: 250 on
  SQLite) with speaker and article title, plus the total (exact up to that many, estimated
  beyond: ``total_is_estimate``). The query is the user's text; the app stems it.
* **ds**: ``datasette serve -i <db>`` (immutable, one process, default settings; its CLI
  always logs each request, to a file here) asked
  ``GET /<db>/quote.json?_search=<match>&_size=20&_labels=on&_nosuggest=1`` (plus
  ``&speaker_id=<id>`` for the speaker kind). Metadata (``procs.datasette_metadata``) sets
  ``fts_table=quote_fts``, ``fts_pk=id`` and ``searchmode=raw``, so Datasette runs
  ``... FROM quote WHERE id IN (SELECT rowid FROM quote_fts WHERE quote_fts MATCH :search)
  ORDER BY id LIMIT 21`` and ``count(*)`` over the same WHERE. ``<match>`` is exactly the FTS5
  expression the app builds for the query (``fts5_match(parse_query(q))``: Snowball stems in
  both languages OR-ed, phrases quoted, the type-ahead word as a prefix ``"stem"*``), because
  ``quote_fts`` holds stems, not words: Datasette's own "escaped" search of the raw words would
  miss most matches (``regeringen`` is indexed as ``regering``). Datasette's results are
  **not ranked**: ``ORDER BY id`` (oldest first; it has no relevance sort for table search).
  ``_labels=on`` adds the speaker name and article title (as the API returns them);
  ``_nosuggest=1`` skips the facet suggestions Datasette computes by default, which the API
  call has no counterpart for.
* **ds+sf**: the same Datasette request without ``_nosuggest`` (Datasette's default JSON,
  suggested facets computed, each within its 50 ms limit).

Both sides must report the same total for every query (past ``rank_window`` matches the app
reports an estimate, the raw SQL the same estimate, Datasette the exact count: either is
accepted; Datasette's count can time out after its 1 s ``sql_time_limit_ms``: counted
apart), and Datasette must find rows for every common-word
query; a few queries are printed with both counts and a check that the API's 20 ids are among
Datasette's matches.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from procs import (
    app_env,
    datasette,
    datasette_metadata,
    free_port,
    require_datasette,
    stop,
    uvicorn,
    wait_ready,
)
from sqlmodel import Session

from app.storage import browse
from app.storage import search as fulltext
from app.storage.browse import QuoteFilters
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.storage.search import (
    RANK_WINDOW,
    estimate_total,
    fts5_match,
    parse_query,
    rank_window,
)
from corpus import SPEAKERS, VOCAB, fill, slug

RAW_TOP = """
SELECT q.id, q.public_id, q.text, q.type, a.title, a.source, a.published_at, s.name, s.slug
FROM (SELECT rowid AS qid, rank FROM
        (SELECT rowid, rank FROM quote_fts WHERE quote_fts MATCH :m
         ORDER BY rowid DESC LIMIT :window)
      ORDER BY rank LIMIT :lim) f
JOIN quote q ON q.id = f.qid JOIN article a ON a.id = q.article_id
LEFT JOIN speaker s ON s.id = q.speaker_id
WHERE q.hidden = 0 ORDER BY f.rank
"""
# The SQLite app's window (search.rank_window on SQLite; RANK_WINDOW for a checkout older than
# SQLITE_RANK_WINDOW, which http_distinct.py and page_cpu.py may import this module with).
WINDOW = min(RANK_WINDOW, getattr(fulltext, "SQLITE_RANK_WINDOW", RANK_WINDOW))
# Exact ranking over every match (what the app did before RANK_WINDOW), for reference.
RAW_EXACT = "SELECT rowid FROM quote_fts WHERE quote_fts MATCH :m ORDER BY rank LIMIT :lim"
RAW_COUNT = "SELECT count(*) FROM quote_fts WHERE quote_fts MATCH :m"
# The app counts at most the window exactly (the newest matches) and estimates beyond from
# how densely they lie among the newest ids (search.estimate_total).
RAW_NEWEST = """
SELECT rowid, (SELECT min(id) FROM quote), (SELECT max(id) FROM quote)
FROM quote_fts WHERE quote_fts MATCH :m ORDER BY rowid DESC LIMIT :cap
"""
# With a speaker: the speaker's quotes come from the index on quote.speaker_id, and FTS5 is
# asked about those rowids only.
RAW_SPEAKER_TOP = """
SELECT q.id, q.public_id, q.text, q.type, a.title, a.source, a.published_at, s.name, s.slug
FROM (SELECT rowid AS qid, bm25(quote_fts, 1.0, 0.5, 4.0) AS rank FROM quote_fts
      WHERE quote_fts MATCH :m AND +rowid IN (SELECT id FROM quote WHERE speaker_id =
        (SELECT id FROM speaker WHERE slug = :sp))
      ORDER BY rank LIMIT :lim) f
JOIN quote q ON q.id = f.qid JOIN article a ON a.id = q.article_id
LEFT JOIN speaker s ON s.id = q.speaker_id
WHERE q.hidden = 0 ORDER BY f.rank
"""
RAW_SPEAKER_COUNT = """
SELECT count(*) FROM quote_fts WHERE quote_fts MATCH :m AND +rowid IN
  (SELECT id FROM quote WHERE speaker_id = (SELECT id FROM speaker WHERE slug = :sp))
"""


def load_before() -> ModuleType:
    """``app/storage/browse.py`` as committed (before this benchmark's changes), importable
    beside the current one so both are measured in the same run."""
    src = subprocess.run(["git", "show", "HEAD:app/storage/browse.py"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    mod = ModuleType("browse_before")
    sys.modules["browse_before"] = mod
    exec(compile(src, "browse_before.py", "exec"), mod.__dict__)
    # The committed module has its own QuoteFilters class, and its fast paths compare filters
    # with that class: hand it filters of its own kind, or it always takes the general query.
    own = mod.QuoteFilters

    def with_own_filters(fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(session: Session, f: QuoteFilters, *a: Any, **kw: Any) -> Any:
            return fn(session, own(**f.__dict__), *a, **kw)
        return call

    mod.search = with_own_filters(mod.search)
    mod.facets = with_own_filters(mod.facets)
    return mod


def build(n: int, directory: Path) -> Path:
    """The benchmark database for ``n`` quotes (built once, then reused)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"search-{n}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    upgrade(f"sqlite:///{tmp}")
    fill(str(tmp), n)
    tmp.rename(path)
    print(f"built {path} with {n:,} quotes in {time.perf_counter() - t0:.0f} s", flush=True)
    return path


PREFIXES = ("hjä", "reg", "män", "skol", "klim", "förs")  # type-ahead: no trailing space
ROOT = Path(__file__).resolve().parent.parent
PHRASES = ("måste ta ansvar", "vi kan", "det är viktigt", "inte hjälp", "regeringen måste")


def queries(count: int = 200, seed: int = 3) -> list[tuple[str, QuoteFilters]]:
    """``count`` mixed queries, deterministic: (kind, filters)."""
    rng = random.Random(seed)
    common = ("regeringen", "hjälp", "människor", "måste", "sverige", "viktigt", "vi")
    rare = VOCAB.rare
    top_speakers = [slug(s) for s in SPEAKERS[:5]]
    some_speakers = [slug(s) for s in SPEAKERS[:200]]
    kinds: list[tuple[str, Callable[[], QuoteFilters]]] = [
        ("common", lambda: QuoteFilters(q=rng.choice(common) + " ")),
        ("rare", lambda: QuoteFilters(q=rng.choice(rare) + " ")),
        ("two words", lambda: QuoteFilters(
            q=f"{rng.choice(common)} {rng.choice(VOCAB.common[10:])} ")),
        ("phrase", lambda: QuoteFilters(q='"' + rng.choice(PHRASES) + '"')),
        ("prefix", lambda: QuoteFilters(q=rng.choice(PREFIXES))),
        ("speaker", lambda: QuoteFilters(
            q=rng.choice(common) + " ",
            speaker=rng.choice(top_speakers if rng.random() < 0.5 else some_speakers))),
    ]
    out: list[tuple[str, QuoteFilters]] = []
    for i in range(count):
        name, make = kinds[i % len(kinds)]
        out.append((name, make()))
    return out


def raw_search(con: sqlite3.Connection, f: QuoteFilters, limit: int = 20) -> tuple[int, list[int]]:
    """The same page and total as ``browse.search`` in hand-written SQL."""
    m = fts5_match(parse_query(f.q))
    if f.speaker:
        rows = con.execute(RAW_SPEAKER_TOP, {"m": m, "sp": f.speaker, "lim": limit}).fetchall()
        total = con.execute(RAW_SPEAKER_COUNT, {"m": m, "sp": f.speaker}).fetchone()[0]
    else:
        rows = con.execute(RAW_TOP, {"m": m, "lim": limit, "window": WINDOW}).fetchall()
        total = len(rows)
        if total == limit:  # (a page that holds every match counts them)
            newest = con.execute(RAW_NEWEST, {"m": m, "cap": WINDOW + 1}).fetchall()
            total = len(newest)
            if total > WINDOW:
                first, end, oldest = newest[0][1], newest[0][2], newest[WINDOW - 1][0]
                total = estimate_total(WINDOW, first + end - oldest, first, end)
    return int(total), [int(r[0]) for r in rows]


def exact_total(con: sqlite3.Connection, f: QuoteFilters) -> int:
    """Every match counted (what Datasette reports; the app estimates past RANK_WINDOW)."""
    m = fts5_match(parse_query(f.q))
    if f.speaker:
        return int(con.execute(RAW_SPEAKER_COUNT, {"m": m, "sp": f.speaker}).fetchone()[0])
    return int(con.execute(RAW_COUNT, {"m": m}).fetchone()[0])


def pct(xs: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``xs``, in ms."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] * 1000


def summary(label: str, app_t: dict[str, list[float]], raw_t: dict[str, list[float]]) -> None:
    """Print p50/p95 per query kind of one code path against the raw SQL, and the ratios."""
    print(f"\n{label}: ms")
    print(f"{'kind':<10} {'app p50':>8} {'app p95':>8} {'raw p50':>8} {'raw p95':>8} "
          f"{'ratio p50':>9} {'ratio p95':>9}")
    rows = [(k, app_t[k], raw_t[k]) for k in app_t]
    rows.append(("ALL", [x for v in app_t.values() for x in v],
                 [x for v in raw_t.values() for x in v]))
    for kind, a, r in rows:
        print(f"{kind:<10} {pct(a, 50):8.1f} {pct(a, 95):8.1f} {pct(r, 50):8.1f} "
              f"{pct(r, 95):8.1f} {pct(a, 50) / pct(r, 50):9.2f} {pct(a, 95) / pct(r, 95):9.2f}")


# (total, or None when the server did not count; public ids of the page, in its order)
Result = tuple[int | None, list[str]]


@dataclass
class HttpSide:
    """One server measured over HTTP beside the in-process search, with its result checks."""

    name: str
    call: Callable[[QuoteFilters], Result]
    times: dict[str, list[float]] = field(default_factory=dict)
    mismatches: int = 0  # total or page size differs from the raw SQL
    uncounted: int = 0  # no total (Datasette's count hit sql_time_limit_ms)
    empty_common: int = 0  # a common-word query that found nothing

    def check(self, kind: str, totals: set[int], page: int, h_total: int | None,
              h_ids: list[str]) -> None:
        """Compare one answer with the raw SQL's total (or the exact count, when the raw
        total is an estimate) and page size."""
        if h_total is None:
            self.uncounted += 1
        elif h_total not in totals:
            self.mismatches += 1
        if len(h_ids) != page:
            self.mismatches += 1
        if kind == "common" and (not h_ids or h_total == 0):
            self.empty_common += 1


def citat_api(client: httpx.Client) -> Callable[[QuoteFilters], Result]:
    """``GET /api/quotes?q=…&limit=20[&speaker=…]`` of the running app (ranked)."""
    def call(f: QuoteFilters) -> Result:
        params = {"q": f.q, "limit": "20"}
        if f.speaker:
            params["speaker"] = f.speaker
        r = client.get("/api/quotes", params=params)
        r.raise_for_status()
        body = r.json()
        return int(body["total"]), [it["id"] for it in body["items"]]
    return call


def datasette_params(f: QuoteFilters, speaker_ids: dict[str, int]) -> dict[str, str]:
    """Datasette's ``?_search=`` for a query: the app's own FTS5 MATCH expression (stems; the
    table's searchmode is raw), 20 rows with foreign-key labels, a speaker as a column filter."""
    params = {"_search": fts5_match(parse_query(f.q)), "_size": "20", "_labels": "on"}
    if f.speaker:
        params["speaker_id"] = str(speaker_ids[f.speaker])
    return params


def datasette_json(client: httpx.Client, db_name: str, params: dict[str, str]) -> Any:
    """One Datasette table JSON answer (an error is fatal: the comparison would be void)."""
    r = client.get(f"/{db_name}/quote.json", params=params)
    if r.status_code != 200:
        raise RuntimeError(f"Datasette answered {r.status_code} to {r.url}: {r.text[:300]}")
    return r.json()


def datasette_search(client: httpx.Client, db_name: str, speaker_ids: dict[str, int],
                     suggest: bool) -> Callable[[QuoteFilters], Result]:
    """Datasette's table search (``suggest``: with its default facet suggestions)."""
    def call(f: QuoteFilters) -> Result:
        params = datasette_params(f, speaker_ids)
        if not suggest:
            params["_nosuggest"] = "1"
        body = datasette_json(client, db_name, params)
        count = body.get("filtered_table_rows_count")
        return (None if count is None else int(count)), [r["public_id"] for r in body["rows"]]
    return call


def show_samples(con: sqlite3.Connection, qs: list[tuple[str, QuoteFilters]], api: HttpSide,
                 ds: httpx.Client, db_name: str, speaker_ids: dict[str, int]) -> bool:
    """Print, for the first query of each kind, the totals both sides report and whether the
    API's page is among Datasette's matches; print how Datasette orders. False if Datasette
    finds nothing for a common word."""
    print("\nsame queries, both sides (Datasette is sent the app's FTS5 expression):")
    print(f"{'kind':<10} {'query':<22} {'_search= sent to Datasette':<44} {'raw':>6} "
          f"{'api':>6} {'ds':>6} {'api page in ds':>14}")
    seen: set[str] = set()
    ok = True
    order = ""
    for kind, f in qs:
        if kind in seen:
            continue
        seen.add(kind)
        total, _ = raw_search(con, f)
        a_total, a_ids = api.call(f)
        params = datasette_params(f, speaker_ids)
        body = datasette_json(client=ds, db_name=db_name, params={**params, "_nosuggest": "1"})
        d_total = body.get("filtered_table_rows_count")
        order = body["query"]["sql"].rsplit(" order by ", 1)[-1]
        inside = 0
        if a_ids:  # how many of the API's page Datasette's search also matches
            check = datasette_json(ds, db_name, {**params, "_nosuggest": "1",
                                                 "public_id__in": ",".join(a_ids)})
            inside = int(check.get("filtered_table_rows_count") or 0)
        if kind == "common" and not body["rows"]:  # a count may be cut off by its time limit
            ok = False
        q = f.q + (f" @{f.speaker}" if f.speaker else "")
        print(f"{kind:<10} {q[:22]:<22} {params['_search'][:44]:<44} {total:>6} {a_total:>6} "
              f"{d_total!s:>6} {f'{inside}/{len(a_ids)}':>14}")
    word = "regeringen"  # indexed as its stem "regering"
    plain = datasette_json(ds, db_name, {"_search": word, "_searchmode": "escaped",
                                         "_size": "1", "_nosuggest": "1"})
    print(f"for contrast, Datasette's default escaped search of the plain word {word!r} finds "
          f"{plain.get('filtered_table_rows_count')} (the index holds stems; the app finds "
          f"{raw_search(con, QuoteFilters(q=word + ' '))[0]})")
    ranked = "rank" in order or "bm25" in order
    print(f"Datasette orders its page by: order by {order}  -> "
          f"{'ranked' if ranked else 'NOT ranked (primary key ascending, oldest first)'}; "
          f"the API ranks by bm25 (newest {WINDOW:,} matches).")
    return ok


@contextmanager
def http_sides(path: Path, directory: Path, con: sqlite3.Connection) -> Iterator[
        tuple[list[HttpSide], Callable[[list[tuple[str, QuoteFilters]]], bool]]]:
    """Start the app (uncached) and Datasette on ``path``; yield the sides to measure and a
    sample check; stop both (and close the clients) at the end."""
    require_datasette()
    meta = datasette_metadata(path, directory)
    print(f"Datasette metadata ({meta}): {json.dumps(json.loads(meta.read_text()))}")
    app_port, ds_port = free_port(), free_port()
    app = uvicorn("app.main:create_app", app_port, 1,
                  app_env(f"sqlite:///{path}", CITAT_CACHE_SECONDS="0"),
                  log=directory / "search-app.log")
    ds = datasette(path, ds_port, meta, log=directory / "search-datasette.log")
    clients: list[httpx.Client] = []
    try:
        wait_ready(f"http://127.0.0.1:{ds_port}/-/versions.json", ds)
        wait_ready(f"http://127.0.0.1:{app_port}/api/quotes?q=vi&limit=1", app)
        speaker_ids = {s: int(i) for s, i in con.execute("SELECT slug, id FROM speaker")}

        def client(port: int) -> httpx.Client:
            c = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120,
                             trust_env=False)  # keep-alive; never a proxy
            clients.append(c)
            return c

        api_c, ds_c = client(app_port), client(ds_port)
        sides = [
            HttpSide("api", citat_api(api_c)),
            HttpSide("ds", datasette_search(ds_c, path.stem, speaker_ids, suggest=False)),
            HttpSide("ds+sf", datasette_search(ds_c, path.stem, speaker_ids, suggest=True)),
        ]
        yield sides, lambda qs: show_samples(con, qs, sides[0], ds_c, path.stem, speaker_ids)
    finally:
        for c in clients:
            c.close()
        stop(ds)
        stop(app)


def summary_http(app_t: dict[str, list[float]], raw_t: dict[str, list[float]],
                 sides: list[HttpSide]) -> None:
    """Per kind: in-process app and raw beside every HTTP side, and Datasette / API at p95."""
    print("\nover HTTP, one request at a time (keep-alive, 127.0.0.1), same run: ms")
    head = f"{'kind':<10} {'app p50':>8} {'app p95':>8} {'raw p95':>8}"
    for side in sides:
        head += f" {side.name + ' p50':>9} {side.name + ' p95':>9}"
    print(head + f" {'ds/api p95':>10}")
    kinds = [*app_t, "ALL"]

    def xs(t: dict[str, list[float]], k: str) -> list[float]:
        return [x for v in t.values() for x in v] if k == "ALL" else t[k]

    for k in kinds:
        line = (f"{k:<10} {pct(xs(app_t, k), 50):8.1f} {pct(xs(app_t, k), 95):8.1f} "
                f"{pct(xs(raw_t, k), 95):8.1f}")
        for side in sides:
            line += f" {pct(xs(side.times, k), 50):9.1f} {pct(xs(side.times, k), 95):9.1f}"
        ratio = pct(xs(sides[1].times, k), 95) / pct(xs(sides[0].times, k), 95)
        print(line + f" {ratio:10.2f}")
    for side in sides:
        print(f"{side.name}: totals or page sizes differing from raw: {side.mismatches}, "
              f"not counted: {side.uncounted}, common-word queries with no rows: "
              f"{side.empty_common}")


def measure(
    session: Session, con: sqlite3.Connection, search: Callable[..., Any],
    qs: list[tuple[str, QuoteFilters]], rounds: int,
    exact: dict[str, list[float]] | None = None, http: list[HttpSide] | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Time ``search`` and the raw SQL (and every ``http`` side, right after them) on every
    query, interleaved; count differing results."""
    app_t: dict[str, list[float]] = {}
    raw_t: dict[str, list[float]] = {}
    mismatches = 0
    sides = http or []
    for _, f in qs:  # warm the page cache and every code path
        search(session, f, limit=20)
        raw_search(con, f)
        for side in sides:
            side.call(f)
    for _ in range(rounds):
        for kind, f in qs:
            t0 = time.perf_counter()
            page = search(session, f, limit=20)
            t1 = time.perf_counter()
            total, ids = raw_search(con, f)
            t2 = time.perf_counter()
            if exact is not None and not f.speaker:
                con.execute(RAW_EXACT, {"m": fts5_match(parse_query(f.q)), "lim": 20}).fetchall()
                exact.setdefault(kind, []).append(time.perf_counter() - t2)
            app_t.setdefault(kind, []).append(t1 - t0)
            raw_t.setdefault(kind, []).append(t2 - t1)
            # Past the window the app's total is an estimate (as the raw SQL's
            # here); a side that counts them all (Datasette, an older app) is right too.
            totals = {total, exact_total(con, f)} if total > WINDOW else {total}
            if page.total not in totals or len(page.items) != len(ids):
                mismatches += 1
            for side in sides:
                t3 = time.perf_counter()
                h_total, h_ids = side.call(f)
                side.times.setdefault(kind, []).append(time.perf_counter() - t3)
                side.check(kind, totals, len(ids), h_total, h_ids)
        session.expunge_all()
    return app_t, raw_t, mismatches


def measure_pg(url: str, con: sqlite3.Connection, qs: list[tuple[str, QuoteFilters]],
               rounds: int) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """``browse.search`` and ``browse.facets`` on a PostgreSQL copy of the same database
    (``bench/pgcopy.py``), p50/p95 per kind; a total differs when the copy reports an exact
    total other than the SQLite file's exact count, or an estimate for fewer matches than its
    window (``search.rank_window``), or a page of another size."""
    pg = make_engine(url)
    times: dict[str, list[float]] = {}
    facet_t: dict[str, list[float]] = {}
    bad = 0
    with Session(pg) as session:
        window = rank_window(session)
        for _, f in qs:  # warm the page cache and every code path
            browse.search(session, f, limit=20)
        for _ in range(rounds):
            for kind, f in qs:
                t0 = time.perf_counter()
                page = browse.search(session, f, limit=20)
                t1 = time.perf_counter()
                browse.facets(session, f)
                facet_t.setdefault(kind, []).append(time.perf_counter() - t1)
                times.setdefault(kind, []).append(t1 - t0)
                exact = exact_total(con, f)
                if (page.estimated and exact <= window) or (
                        not page.estimated and page.total != exact) or (
                        len(page.items) != min(20, exact)):
                    bad += 1
            session.expunge_all()
    pg.dispose()
    return times, facet_t, bad


def time_facets(session: Session, facets: Callable[..., Any], n: int) -> tuple[float, float]:
    """p50 and p95 (ms) of ``facets`` for a common word, alone and with a speaker."""
    plain: list[float] = []
    for i in range(n):
        f = QuoteFilters(q=("regeringen ", "hjälp ", "sverige ")[i % 3])
        if i % 2:
            f = replace(f, speaker=slug(SPEAKERS[i % 5]))
        t0 = time.perf_counter()
        facets(session, f)
        plain.append(time.perf_counter() - t0)
    return pct(plain, 50), pct(plain, 95)


def main() -> None:
    """Build, warm up, measure, print."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="quotes (10000, 100000, 1000000)")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/citat-bench"))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2, help="measured passes over the queries")
    ap.add_argument("--facets", type=int, default=20, help="facet calls for a common word")
    ap.add_argument("--before", action="store_true",
                    help="also measure the committed browse.py (git HEAD) in the same run")
    ap.add_argument("--datasette", action="store_true",
                    help="also measure Citat's /api/quotes (uncached) and Datasette's ?_search= "
                    "over HTTP in the same run (pip install datasette)")
    ap.add_argument("--pg", metavar="DATABASE_URL",
                    help="also the app's search and facets on this PostgreSQL copy of the "
                    "database (bench/pgcopy.py; the distinct-URL database of the same N holds "
                    "the same quotes)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if args.datasette:
        require_datasette()  # before a long build
    path = build(args.n, args.dir)
    engine = make_engine(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    qs = queries(args.queries)
    bad = 0
    http_bad = 0
    print(f"N = {args.n:,} quotes, {len(qs)} queries x {args.rounds} rounds "
          f"(SQLite {sqlite3.sqlite_version})")
    with Session(engine) as session, ExitStack() as stack:
        total_common = browse.search(session, QuoteFilters(q="regeringen "), limit=1).total
        print(f"'regeringen' matches {total_common:,} quotes")
        sides: list[HttpSide] = []
        if args.datasette:
            sides, samples = stack.enter_context(http_sides(path, args.dir, con))
            if not samples(qs):
                raise SystemExit("Datasette found no rows for a common word: its FTS "
                                 "configuration is wrong, the comparison would be void")
        exact: dict[str, list[float]] = {}
        app_t, raw_t, bad = measure(session, con, browse.search, qs, args.rounds, exact, sides)
        stack.close()  # stop the servers before the in-process facets and --before
        summary("browse.search (now)", app_t, raw_t)
        print("raw exact ORDER BY rank LIMIT 20 (every match scored), top ids only: "
              + ", ".join(f"{k} p50 {pct(v, 50):.1f}/p95 {pct(v, 95):.1f}"
                          for k, v in exact.items()))
        if sides:
            summary_http(app_t, raw_t, sides)
            http_bad = sum(s.mismatches + s.empty_common for s in sides)
        fac = time_facets(session, browse.facets, args.facets)
        before = load_before() if args.before else None
        if before is not None:
            b_t, r_t, _ = measure(session, con, before.search, qs, 1)
            summary("browse.search (git HEAD, before)", b_t, r_t)
            fac_b = time_facets(session, before.facets, max(2, args.facets // 4))
    print(f"\nfacets, common word (half with a speaker): p50 {fac[0]:.1f} ms, p95 {fac[1]:.1f} ms")
    if before is not None:
        print(f"facets before (git HEAD):                  p50 {fac_b[0]:.1f} ms, "
              f"p95 {fac_b[1]:.1f} ms")
    if args.pg:
        pg_t, pg_f, pg_bad = measure_pg(args.pg, con, qs, args.rounds)
        print("\nPostgreSQL copy: browse.search (ms)       browse.facets (ms)")
        print(f"{'kind':<10} {'p50':>8} {'p95':>8}   {'p50':>8} {'p95':>8}")
        for kind in [*pg_t, "ALL"]:
            a = [x for v in pg_t.values() for x in v] if kind == "ALL" else pg_t[kind]
            b = [x for v in pg_f.values() for x in v] if kind == "ALL" else pg_f[kind]
            print(f"{kind:<10} {pct(a, 50):8.1f} {pct(a, 95):8.1f}   {pct(b, 50):8.1f} "
                  f"{pct(b, 95):8.1f}")
        print(f"PostgreSQL totals or page sizes differing from the exact count: {pg_bad}")
        bad += pg_bad
    print(f"results differing from raw (total or page size): {bad}")
    if sides:
        print(f"HTTP answers differing from raw or empty for a common word: {http_bad}")
    engine.dispose()
    sys.exit(1 if bad or http_bad else 0)


if __name__ == "__main__":
    main()
