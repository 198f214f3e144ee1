"""Speaker lookup on save at archive scale: the indexed lookup against the scans it replaced.

    python bench/speakers.py [--speakers 200000] [--names 400] [--engines sqlite postgresql]

Fills a scratch database (SQLite file, or the scratch PostgreSQL database
``citat_bench_speakers``, created and dropped) through the migrations with ``--speakers``
people ("F123 L4567": 2,000 first names x 20,000 surnames, skewed so that surnames are
shared as in a real archive), then asks for ``--names`` people in articles of 10 names each,
as saving an article does: half of them stored already, half new people with a stored
surname (the case that scanned). Times, in the same run and the same session:

* ``scan``: what saving did before migration 0006, per name: ``lower(name) IN (...)`` for
  the exact name and ``lower(name) LIKE '% surname'`` for the people sharing the surname
  (both read every row: no index serves lower() or a leading wildcard);
* ``lookup``: ``SpeakerLookup`` + ``find_speaker`` as saving does now (``name_key`` index for
  every name of the article at once; for a name with no exact match, the ``surname`` index
  and the first name's prefix of ``name_key``).

Prints ms per name and the ratio; exits 1 if the two disagree on which speakers exist.

Then the search page's name box (``queries.find_by_name``: names and mentions containing the
words typed, on the casefolded keys of migration 0007) with one surname mention per speaker
stored as well: ``--typed`` strings (surnames of stored people, a first name with the start of
a surname, strings in nobody's name), in ms per query. On PostgreSQL the same queries run
again with bitmap scans switched off (``enable_bitmapscan``), i.e. without the trigram
indexes, as the baseline of the same run; exits 1 if the two disagree. SQLite has no index
for a substring: its time is the scan's.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from ingest import pg_database
from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from app.storage.db import make_engine
from app.storage.identity import SpeakerLookup, find_speaker
from app.storage.migrate import upgrade
from app.storage.models import Speaker, SpeakerAlias, fold_key, name_parts, surname_key
from app.storage.queries import find_by_name

PG_SCRATCH = "citat_bench_speakers"
FIRST = [f"F{i}" for i in range(2000)]
LAST = [f"L{i}" for i in range(20000)]


#: Surnames are skewed as in a real archive: the commonest holds ~1 % of the people (in Sweden
#: Andersson is ~2 %), the rarest a handful.
WEIGHTS = [1 / (rank + 10) for rank in range(len(LAST))]


def people(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct full names."""
    names: set[str] = set()
    while len(names) < n:
        for last in rng.choices(LAST, WEIGHTS, k=n - len(names)):
            names.add(f"{rng.choice(FIRST)} {last}")
    return sorted(names)


def scan_find(session: Session, name: str) -> bool:
    """The lookups saving made before migration 0006 (exact name, then surname LIKE)."""
    exact = session.exec(select(Speaker.id).where(
        func.lower(Speaker.name).in_([name.lower()]))).first()
    if exact is not None:
        return True
    parts = name_parts(name)
    rows = session.exec(select(Speaker.id, Speaker.name).where(
        func.lower(Speaker.name).like(f"% {parts[-1].lower()}"))).all()
    same = [sid for sid, other in rows if name_parts(other)[0] == parts[0]]
    return len(same) == 1


def name_box(session: Session, stored: list[str], n_typed: int, rng: random.Random
             ) -> tuple[float, float | None]:
    """ms per ``find_by_name`` query with the engine's indexes, and on PostgreSQL without
    its trigram indexes (None on SQLite)."""
    half = n_typed // 2
    typed = [name_parts(n)[-1] for n in rng.sample(stored, half)]
    typed += [f"{name_parts(n)[0]} {name_parts(n)[-1][:2]}"
              for n in rng.sample(stored, n_typed // 4)]
    typed += [f"zq{i}" for i in range(n_typed - len(typed))]

    def timed() -> tuple[float, list[list[str]]]:
        t0 = time.perf_counter()
        found = [[sp.name for sp in find_by_name(session, q)[0]] for q in typed]
        return (time.perf_counter() - t0) / len(typed) * 1000, found

    find_by_name(session, typed[0])  # warm the cache
    indexed, found = timed()
    if session.get_bind().dialect.name != "postgresql":
        return indexed, None
    session.execute(text("SET enable_bitmapscan = off"))
    scanned, by_scan = timed()
    session.execute(text("RESET enable_bitmapscan"))
    if by_scan != found:
        sys.exit("the name box gives other names without its indexes")
    return indexed, scanned


def run(url: str, n_speakers: int, n_names: int, n_typed: int
        ) -> tuple[float, float, float, float | None]:
    """(ms per name scanning, ms per name through the lookup, ms per name-box query with
    the indexes, and without them on PostgreSQL)."""
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(5)
    stored = people(n_speakers, rng)
    rows = [{"name": n, "slug": f"s{i}", "kind": "PER", "name_key": n.casefold(),
             "surname": surname_key(n)} for i, n in enumerate(stored)]
    with Session(engine) as session:
        for i in range(0, len(rows), 10000):
            session.execute(insert(Speaker), rows[i:i + 10000])
        session.commit()
    known = rng.sample(stored, n_names // 2)
    new = [f"{rng.choice(FIRST)}x {name_parts(rng.choice(stored))[-1]}"
           for _ in range(n_names - len(known))]
    asked = [n for pair in zip(known, new, strict=False) for n in pair]
    with Session(engine) as session:
        session.exec(select(func.count(col(Speaker.id)))).one()  # warm the cache
        t0 = time.perf_counter()
        by_scan = [scan_find(session, n) for n in asked]
        scan = (time.perf_counter() - t0) / len(asked)
        t0 = time.perf_counter()
        by_lookup: list[bool] = []
        for i in range(0, len(asked), 10):
            lookup = SpeakerLookup(session, set(asked[i:i + 10]))
            by_lookup += [find_speaker(session, n, lookup=lookup) is not None
                          for n in asked[i:i + 10]]
        indexed = (time.perf_counter() - t0) / len(asked)
    if by_scan != by_lookup:
        sys.exit("the scan and the lookup disagree on which speakers are stored")
    with Session(engine) as session:
        ids = dict(session.exec(select(Speaker.name, Speaker.id)).all())
        aliases = [{"speaker_id": ids[n], "kind": "mention", "text": name_parts(n)[-1],
                    "text_key": fold_key(name_parts(n)[-1])} for n in stored]
        for i in range(0, len(aliases), 10000):
            session.execute(insert(SpeakerAlias), aliases[i:i + 10000])
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
        box, box_scan = name_box(session, stored, n_typed, rng)
    engine.dispose()
    return scan * 1000, indexed * 1000, box, box_scan


def main() -> None:
    """Fill, time both forms, print the table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--speakers", type=int, default=200000)
    ap.add_argument("--names", type=int, default=400)
    ap.add_argument("--typed", type=int, default=100, help="name-box queries")
    ap.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = ap.parse_args()
    print(f"{args.speakers:,} speakers, {args.names} names asked (half stored, half new); "
          f"name box: {args.typed} queries")
    print("engine      scan ms/name  lookup ms/name  ratio  name box ms  without index  ratio")
    for engine in args.engines:
        with tempfile.TemporaryDirectory(prefix="citat-speakers-") as tmp:
            if engine == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'speakers.db'}"
            else:
                pg_database(create=True, name=PG_SCRATCH)
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_SCRATCH}"
            try:
                scan, indexed, box, box_scan = run(url, args.speakers, args.names,
                                                   args.typed)
            finally:
                if engine != "sqlite":
                    pg_database(create=False, name=PG_SCRATCH)
        base = ("            -      -" if box_scan is None
                else f"{box_scan:>13.2f} {box_scan / box:>5.0f}x")
        print(f"{engine:<11} {scan:>12.2f} {indexed:>15.2f} {scan / indexed:>6.0f}x "
              f"{box:>12.2f} {base}", flush=True)


if __name__ == "__main__":
    main()
