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
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from ingest import pg_database
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.storage.models import Speaker, name_parts, surname_key
from app.storage.writes import SpeakerLookup, find_speaker

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


def run(url: str, n_speakers: int, n_names: int) -> tuple[float, float]:
    """(ms per name scanning, ms per name through the lookup)."""
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
    engine.dispose()
    if by_scan != by_lookup:
        sys.exit("the scan and the lookup disagree on which speakers are stored")
    return scan * 1000, indexed * 1000


def main() -> None:
    """Fill, time both forms, print the table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--speakers", type=int, default=200000)
    ap.add_argument("--names", type=int, default=400)
    ap.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    args = ap.parse_args()
    print(f"{args.speakers:,} speakers, {args.names} names asked (half stored, half new)")
    print("engine      scan ms/name  lookup ms/name  ratio")
    for engine in args.engines:
        with tempfile.TemporaryDirectory(prefix="citat-speakers-") as tmp:
            if engine == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'speakers.db'}"
            else:
                pg_database(create=True, name=PG_SCRATCH)
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_SCRATCH}"
            try:
                scan, indexed = run(url, args.speakers, args.names)
            finally:
                if engine != "sqlite":
                    pg_database(create=False, name=PG_SCRATCH)
        print(f"{engine:<11} {scan:>12.2f} {indexed:>15.2f} {scan / indexed:>6.0f}x", flush=True)


if __name__ == "__main__":
    main()
