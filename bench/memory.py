"""Resident memory of one web process with both spaCy pipelines loaded.

    python bench/memory.py [--n 100000]

Starts ``uvicorn app.main:create_app --factory`` (one process, no worker) on a copy of the
search benchmark database, requests the home, search, permalink and speaker pages, uploads one
Swedish and one English article (CITAT_QUEUE=immediate, so both pipelines run in this
process), then reads VmRSS / VmHWM from /proc/PID/status. Target: <= 400 MB.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import urllib.request
from pathlib import Path

from procs import app_env, copy_db, free_port, rss_mb, stop, uvicorn, wait_ready
from search import build

from corpus import articles

ENGLISH = ('"We will not accept this," the minister said on Monday. "Prices must come down '
           'before winter," she added, according to Reuters.')


def main() -> None:
    """Start, exercise, measure, stop."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="quotes in the database")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/citat-bench"))
    args = ap.parse_args()
    db = copy_db(build(args.n, args.dir), args.dir / "memory.db")
    con = sqlite3.connect(db)
    public_id, = con.execute("SELECT public_id FROM quote WHERE id = 1").fetchone()
    slug, = con.execute("SELECT slug FROM speaker WHERE id = 1").fetchone()
    con.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = uvicorn("app.main:create_app", port, 1, app_env(f"sqlite:///{db}"))
    try:
        wait_ready(base + "/", proc)
        before = rss_mb(proc.pid)
        for path in ("/", "/search?q=regeringen", f"/q/{public_id}", f"/speakers/{slug}"):
            urllib.request.urlopen(base + path, timeout=60).read()
        title, text = next(articles(1))
        for body in ({"text": text, "title": title}, {"text": ENGLISH, "title": "English"}):
            req = urllib.request.Request(base + "/api/articles", json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as r:
                status = json.load(r)["status"]
            assert status == "done", status
        after = rss_mb(proc.pid)
    finally:
        stop(proc)
    print(f"web process after start-up:            VmRSS {before[0]:.0f} MB")
    print(f"after pages + one sv and one en upload: VmRSS {after[0]:.0f} MB "
          f"(peak VmHWM {after[1]:.0f} MB); target <= 400 MB: "
          f"{'met' if after[0] <= 400 else 'MISSED'}")


if __name__ == "__main__":
    main()
