"""What the write path of a bulk ingest costs, with extraction done beforehand: ``--n``
synthetic articles (``bench/ingest.py``'s) extracted first, then written by
``app.ingest.service.ingest_files`` into a fresh database twice — as shipped, and with the
"also reported in" search (``aggregates.link_echoes``) left out — wall and CPU seconds each,
after an untimed first write of the same articles (warm caches, as in a long ingest).

    python bench/ingest_parts.py [--n 600] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Without ``--pg`` the databases are SQLite files in a temporary folder; with it, scratch
databases ``citat_bench_parts_*`` on that server, dropped at the end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
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
        wall, cpu = time.perf_counter(), time.process_time()
        ingest_files(partial(Session, engine), extracted, files,
                     Settings().max_upload_bytes, jobs=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        aggregates.link_echoes = shipped
        engine.dispose()
        if mode != "warm-up":
            print(f"{url.split(':')[0]:<20} {mode:<20} {args.n} articles written in "
                  f"{wall:6.1f} s ({args.n / wall:5.1f}/s), {cpu:6.1f} s CPU in this process",
                  flush=True)
        if admin is not None:
            with admin.connect() as con:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


if __name__ == "__main__":
    main()
