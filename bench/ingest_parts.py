"""What the write path of a bulk ingest costs, with extraction done beforehand: ``--n``
synthetic articles (``bench/ingest.py``'s) extracted first, then written by
``app.ingest.service.ingest_files`` into a fresh database twice — as shipped, and with the
"also reported in" links (``aggregates.link_echoes``: finding them, storing the echo keys)
left out — wall and CPU seconds each, after an untimed first write of the same articles (warm
caches, as in a long ingest). With ``--pg``, also the CPU seconds of the server processes
serving the scratch database (read from ``/proc``: a server on this machine) and, on both
engines, the statements sent.

    python bench/ingest_parts.py [--n 600] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Without ``--pg`` the databases are SQLite files in a temporary folder; with it, scratch
databases ``citat_bench_parts_*`` on that server, dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).parent))

import ingest as synthetic

from app.config import Settings
from app.extraction.pipeline import Extractor
from app.extraction.records import Extraction
from app.ingest.service import ingest_files
from app.storage import aggregates, lexicon
from app.storage.db import make_engine
from app.storage.migrate import upgrade


class Extracted:
    """The extractor's answers, computed before the clock starts."""

    def __init__(self, extractor: Extractor, texts: list[str]) -> None:
        self.extractor = extractor
        self.done = dict(zip(texts, extractor.extract_many(texts), strict=True))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.extractor, name)

    def extract(self, text: str, language: str | None = None) -> Extraction:
        return self.done[text]

    def extract_many(self, texts: Iterable[str], *_: Any, **__: Any) -> Iterator[Extraction]:
        return iter([self.done[t] for t in texts])


def _no_echoes(session: Session, quotes: Any) -> None:
    """``link_echoes`` left out."""


def server_cpu(admin: Engine | None, database: str) -> float:
    """CPU seconds used so far by the server processes connected to ``database`` (0 without
    a server, or where ``/proc`` does not show them)."""
    if admin is None:
        return 0.0
    with admin.connect() as con:
        pids = [r[0] for r in con.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database})]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def counted(engine: Engine) -> list[int]:
    """A one-item list that counts the statements sent on ``engine`` from now on."""
    n = [0]

    def seen(*_: object) -> None:
        n[0] += 1

    event.listen(engine, "before_cursor_execute", seen)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--pg", help="a PostgreSQL server URL (its postgres database)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="citat-parts-"))
    (folder / "in").mkdir()
    files = synthetic.write_files(args.n, folder / "in")
    extracted = Extracted(Extractor.load(), [f.read_text(encoding="utf-8") for f in files])
    lexicon.preload()  # the search index's word tables, loaded once per process, not timed
    shipped = aggregates.link_echoes
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT") if args.pg else None
    # A first, untimed write warms what a long-running ingest has warm (the stem caches, the
    # compiled statements), so neither timed run pays for it.
    for mode in ("warm-up", "shipped", "without echo search"):
        name = "citat_bench_parts_" + mode.split()[0]
        if admin is not None:
            with admin.connect() as con:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                con.execute(text(f'CREATE DATABASE "{name}"'))
            url = args.pg.rsplit("/", 1)[0] + "/" + name
        else:
            url = f"sqlite:///{folder / name}.db"
        upgrade(url)
        engine = make_engine(url)
        if mode != "shipped":
            aggregates.link_echoes = _no_echoes
        statements = counted(engine)
        with engine.connect():  # the pool's connection (the server process) made untimed
            pass
        server = server_cpu(admin, name)
        wall, cpu = time.perf_counter(), time.process_time()
        ingest_files(partial(Session, engine), extracted, files,
                     Settings().max_upload_bytes, jobs=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server = server_cpu(admin, name) - server
        aggregates.link_echoes = shipped
        engine.dispose()
        if mode != "warm-up":
            print(f"{url.split(':')[0]:<20} {mode:<20} {args.n} articles written in "
                  f"{wall:6.1f} s ({args.n / wall:5.1f}/s), {cpu:6.1f} s CPU in this process"
                  + (f", {server:5.1f} s CPU in the server" if admin is not None else "")
                  + f", {statements[0]} statements", flush=True)
        if admin is not None:
            with admin.connect() as con:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


if __name__ == "__main__":
    main()
