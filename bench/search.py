"""Search benchmark: the app's ranked search and facets against the best raw FTS5 query.

    python bench/search.py --n 1000000          # builds /tmp/citat-bench/search-1000000.db once

Builds a SQLite database through the project's migrations, bulk-fills it with N synthetic
Swedish quotes (bench/corpus.py), then runs the same 200 mixed queries through
``app.storage.browse.search`` and through hand-written raw FTS5 SQL in the same run, and
prints p50/p95 per query kind and the ratio app/raw. Also times ``browse.facets``.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

from corpus import SPEAKERS, VOCAB, fill, slug
from sqlmodel import Session

from app.storage import browse
from app.storage.browse import QuoteFilters
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.storage.search import RANK_WINDOW, fts5_match, parse_query

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
# Exact ranking over every match (what the app did before RANK_WINDOW), for reference.
RAW_EXACT = "SELECT rowid FROM quote_fts WHERE quote_fts MATCH :m ORDER BY rank LIMIT :lim"
RAW_COUNT = "SELECT count(*) FROM quote_fts WHERE quote_fts MATCH :m"
# With a speaker: the speaker's quotes come from the index on quote.speaker_id, and FTS5 is
# asked about those rowids only.
RAW_SPEAKER_TOP = """
SELECT q.id, q.public_id, q.text, q.type, a.title, a.source, a.published_at, s.name, s.slug
FROM (SELECT rowid AS qid, bm25(quote_fts) AS rank FROM quote_fts
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
        rows = con.execute(RAW_TOP, {"m": m, "lim": limit, "window": RANK_WINDOW}).fetchall()
        total = con.execute(RAW_COUNT, {"m": m}).fetchone()[0]
    return int(total), [int(r[0]) for r in rows]


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


def measure(
    session: Session, con: sqlite3.Connection, search: Callable[..., Any],
    qs: list[tuple[str, QuoteFilters]], rounds: int,
    exact: dict[str, list[float]] | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
    """Time ``search`` and the raw SQL on every query, interleaved; count differing results."""
    app_t: dict[str, list[float]] = {}
    raw_t: dict[str, list[float]] = {}
    mismatches = 0
    for _, f in qs:  # warm the page cache and both code paths
        search(session, f, limit=20)
        raw_search(con, f)
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
            if page.total != total or len(page.items) != len(ids):
                mismatches += 1
        session.expunge_all()
    return app_t, raw_t, mismatches


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
    args = ap.parse_args()
    path = build(args.n, args.dir)
    engine = make_engine(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    qs = queries(args.queries)
    bad = 0
    print(f"N = {args.n:,} quotes, {len(qs)} queries x {args.rounds} rounds "
          f"(SQLite {sqlite3.sqlite_version})")
    with Session(engine) as session:
        total_common = browse.search(session, QuoteFilters(q="regeringen "), limit=1).total
        print(f"'regeringen' matches {total_common:,} quotes")
        exact: dict[str, list[float]] = {}
        app_t, raw_t, bad = measure(session, con, browse.search, qs, args.rounds, exact)
        summary("browse.search (now)", app_t, raw_t)
        print("raw exact ORDER BY rank LIMIT 20 (every match scored), top ids only: "
              + ", ".join(f"{k} p50 {pct(v, 50):.1f}/p95 {pct(v, 95):.1f}"
                          for k, v in exact.items()))
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
    print(f"results differing from raw (total or page size): {bad}")
    engine.dispose()
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
