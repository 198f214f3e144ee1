"""The work per page, in process, nothing cached: milliseconds and SQL statements per page for
permalinks, speakers, entities, searches, articles and the home page of a benchmark database.

    PYTHONPATH=CHECKOUT python bench/page_work.py DB [--pages permalink speaker ...]
                                                  [--entities 20] [--url DATABASE_URL]

Measures whichever checkout of the app is first on the path, so two checkouts (the branch's
starting code in a second git worktree, and this one) can be compared on the same database
file, run after run in turn. Requests go through the whole app (middleware, route, templates)
with Starlette's test client and ``CITAT_CACHE_SECONDS=0``; the first few URLs of each page
warm it up and are not timed. Wall-clock time and the CPU time of the process (the test
client runs the app on a thread of this process): on a shared machine the CPU time moves
less, but compare runs made in turn. ``--url`` serves the pages from another copy of the same
database (``bench/pgcopy.py``'s PostgreSQL copy: the same ids, so the same URLs, drawn from
``DB``).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import event

from app.config import Settings
from app.main import create_app

WORDS = ("regeringen", "hjälp", "skolreformen", "klimat", "vården måste", "sverige", "läget",
         "människor viktigt", "frågan", "kan vi")


def urls(db: Path, entities: int) -> dict[str, list[str]]:
    """The URLs timed for each page (deterministic)."""
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("SELECT public_id FROM quote WHERE id % 331 = 0 LIMIT 30")]
    speakers = [r[0] for r in con.execute("SELECT slug FROM speaker WHERE id % 37 = 0 LIMIT 30")]
    ents = [r[0] for r in con.execute("SELECT slug FROM entity ORDER BY id LIMIT ?",
                                      (entities,))]
    articles = [r[0] for r in con.execute("SELECT id FROM article WHERE id % 700 = 1")]
    con.close()
    return {
        "permalink": [f"/q/{i}" for i in ids],
        "speaker": [f"/speakers/{s}" for s in speakers],
        "entity": [f"/entities/{e}" for e in ents],
        "search": ["/search?" + urlencode({"q": w}) for w in WORDS],  # the clean URL
        "article": [f"/articles/{a}" for a in articles],
        "home": ["/"],
    }


def main() -> None:
    """Time every page kind and print ms and statements per page."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--pages", nargs="+", default=None)
    ap.add_argument("--entities", type=int, default=20, help="entity pages timed")
    ap.add_argument("--url", help="serve from this database (a copy of DB) instead")
    args = ap.parse_args()
    settings = Settings(database_url=args.url or f"sqlite:///{args.db}", load_seeds=False,
                        worker_in_process=False, queue="immediate", cache_seconds=0,
                        secret_key="bench-secret-key-bench-secret-key")
    app = create_app(settings, extractor=object())  # type: ignore[arg-type]
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    with TestClient(app) as client:
        event.listen(app.state.engine, "before_cursor_execute", count)
        get: Callable[[str], Any] = client.get
        for page, paths in urls(args.db, args.entities).items():
            if args.pages and page not in args.pages:
                continue
            for path in paths[:2]:
                get(path)
            statements[0] = 0
            t0, c0 = time.perf_counter(), time.process_time()
            for path in paths:
                r = get(path)
                assert r.status_code == 200, (path, r.status_code)
            ms = (time.perf_counter() - t0) / len(paths) * 1000
            cpu = (time.process_time() - c0) / len(paths) * 1000
            print(f"{page:<10} {ms:8.1f} ms/page {cpu:8.1f} ms CPU "
                  f"{statements[0] / len(paths):7.1f} statements/page ({len(paths)} URLs)",
                  flush=True)


if __name__ == "__main__":
    main()
