"""HTTP throughput and latency with wrk: permalink, search and speaker pages of the app with 1
and 2 uvicorn workers, cached (the app's default CITAT_CACHE_SECONDS, or --cache-seconds) and
uncached (CITAT_CACHE_SECONDS=0), beside a bare FastAPI + Jinja page reading one quote
(bench/bare_app.py) and beside Datasette's row and search pages, all in the same run, on the
same database file, loopback only.

    python bench/http_pages.py [--n 100000] [--seconds 10] [--connections 16] [--cache-seconds S]

Needs wrk (apt-get install -y wrk) and, unless --no-datasette, Datasette (pip install datasette;
a benchmark-only tool, not a project dependency). Datasette is one process (it has no
--workers), so it runs once, labelled "1 proc", and is compared with the 1-worker bare page:

* ``ds row``: ``GET /<db>/quote/<id>`` (HTML), the same quotes as the permalink pages (Datasette
  shows the row with its speaker and article labels and counts the rows linking to it).
* ``ds search``: ``GET /<db>/quote?_search=<match>&_size=20`` (HTML), one per SEARCH_WORDS entry,
  where ``<match>`` is the FTS5 expression the app itself runs for that ``q`` (Snowball stems;
  the index holds stems) and the table is configured with ``fts_table=quote_fts``,
  ``fts_pk=id``, ``searchmode=raw`` (see ``procs.datasette_metadata``). Datasette's defaults
  otherwise: 20 rows ordered by id, **not ranked**, with a count and its suggested facets
  (the app's search page ranks and shows facets).

Targets: permalink >= 50 % of the bare page's req/s with p99 <= 10 ms; search page >= 250 req/s
on 2 workers.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from procs import (
    app_env,
    copy_db,
    datasette,
    datasette_metadata,
    free_port,
    require_datasette,
    stop,
    uvicorn,
    wait_ready,
)
from search import build

from app.storage.search import fts5_match, parse_query

BENCH = Path(__file__).resolve().parent
SEARCH_WORDS = ("regeringen", "hjälp", "skolreformen", '"det är viktigt"', "sverige måste",
                "människor", "vården", "klimat")
LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def wrk(url: str, paths: list[str], seconds: int, connections: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx + socket errors) of wrk cycling through ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % ", ".join(f'"{p}"' for p in paths))
        script = fh.name
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
         "-s", script, url], capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    Path(script).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert m, out
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errors = 0
    for pat in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), "
                r"write (\d+), timeout (\d+)"):
        e = re.search(pat, out)
        if e:
            errors += sum(int(x) for x in e.groups())
    return rps, p99, errors


Row = tuple[str, str, float, float, int]  # page, workers, req/s, p99 ms, errors


def run_pages(base: str, pages: dict[str, list[str]], workers: str, suffix: str,
              args: argparse.Namespace, results: list[Row]) -> None:
    """Warm up and measure every page of one running server, appending to ``results``."""
    for name, paths in pages.items():
        wrk(base, paths, 2, args.connections)  # warm every worker
        results.append((name + suffix, workers, *wrk(base, paths, args.seconds,
                                                     args.connections)))
        print(results[-1], flush=True)


def check_datasette_search(base: str, db: Path) -> None:
    """Datasette must find, for every search word, the rows the app's FTS5 expression finds
    (its JSON twin of each ``ds search`` page against a count on the file); exits otherwise."""
    con = sqlite3.connect(db)
    found = []
    for w in SEARCH_WORDS:
        m = fts5_match(parse_query(w))
        url = f"{base}/{db.stem}/quote.json?" + urlencode({"_search": m, "_size": 1,
                                                           "_nosuggest": 1})
        body = httpx.get(url, timeout=60, trust_env=False).raise_for_status().json()
        want = con.execute("SELECT count(*) FROM quote_fts WHERE quote_fts MATCH ?",
                           (m,)).fetchone()[0]
        got = body.get("filtered_table_rows_count")
        if got != want or "quote_fts match" not in body["query"]["sql"]:
            raise SystemExit(f"Datasette's search for {w!r} ({m}) found {got}, the index {want}"
                             f": its FTS configuration is wrong")
        found.append(f"{w} {got}")
    con.close()
    print("Datasette search pages match (same counts as the app's FTS5 expression): "
          + ", ".join(found), flush=True)


def main() -> None:
    """Seeded copy of the benchmark database, then every server and page in turn."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="quotes in the database")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/citat-bench"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--cache-seconds", type=float, default=None,
                    help="CITAT_CACHE_SECONDS of the cached app run (default: not set, the "
                    "app's default); the uncached run always uses 0")
    ap.add_argument("--no-datasette", action="store_true", help="skip the Datasette pages")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not args.no_datasette:
        require_datasette()
    db = copy_db(build(args.n, args.dir), args.dir / "http.db")
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, public_id FROM quote WHERE id % 997 = 1 LIMIT 50").fetchall()
    slugs = [r[0] for r in con.execute("SELECT slug FROM speaker WHERE id IN (1, 7, 50, 300)")]
    con.close()
    pages = {
        "permalink": [f"/q/{public_id}" for _, public_id in rows],
        "search": [f"/search?q={quote(w)}" for w in SEARCH_WORDS],
        "speaker": [f"/speakers/{s}" for s in slugs],
    }
    ds_pages = {
        "ds row": [f"/{db.stem}/quote/{rowid}" for rowid, _ in rows],
        "ds search": [f"/{db.stem}/quote?"
                      + urlencode({"_search": fts5_match(parse_query(w)), "_size": 20})
                      for w in SEARCH_WORDS],
    }
    cached = {} if args.cache_seconds is None else {"CITAT_CACHE_SECONDS": str(args.cache_seconds)}
    app_runs = [("", cached), (" uncached", {"CITAT_CACHE_SECONDS": "0"})]
    results: list[Row] = []
    for workers in args.workers:
        for suffix, extra in app_runs:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            proc = uvicorn("app.main:create_app", port, workers,
                           app_env(f"sqlite:///{db}", **extra))
            try:
                wait_ready(base + pages["permalink"][0], proc)
                run_pages(base, pages, str(workers), suffix, args, results)
            finally:
                stop(proc)
        port = free_port()
        env = {**app_env(""), "BARE_DB": str(db), "PYTHONPATH": str(BENCH)}
        bare = uvicorn("bare_app:app", port, workers, env, factory=False)
        try:
            wait_ready(f"http://127.0.0.1:{port}{pages['permalink'][0]}", bare)
            run_pages(f"http://127.0.0.1:{port}", {"bare page": pages["permalink"]},
                      str(workers), "", args, results)
        finally:
            stop(bare)
    if not args.no_datasette:
        port = free_port()
        meta = datasette_metadata(db, args.dir)
        ds = datasette(db, port, meta, log=args.dir / "http-datasette.log")
        try:
            wait_ready(f"http://127.0.0.1:{port}/-/versions.json", ds)
            check_datasette_search(f"http://127.0.0.1:{port}", db)
            run_pages(f"http://127.0.0.1:{port}", ds_pages, "1 proc", "", args, results)
        finally:
            stop(ds)
    print(f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, N = {args.n:,} quotes; cached = "
          + ("the app's default CITAT_CACHE_SECONDS" if args.cache_seconds is None
             else f"CITAT_CACHE_SECONDS={args.cache_seconds:g}")
          + ", uncached = CITAT_CACHE_SECONDS=0")
    print(f"{'page':<18} {'workers':>7} {'req/s':>8} {'p99 ms':>8} {'errors':>6} {'vs bare':>8}")
    bare_rps = {w: r for name, w, r, _, _ in results if name == "bare page"}
    one = str(min(args.workers))  # Datasette (one process) against the fewest-worker bare page
    for name, w, rps, p99, err in results:
        print(f"{name:<18} {w:>7} {rps:8.0f} {p99:8.1f} {err:>6} "
              f"{rps / bare_rps[one if w == '1 proc' else w]:8.0%}")
    if not args.no_datasette:
        print(f"1 proc: Datasette {version('datasette')} is one process (no --workers; 3 SQL "
              f"threads by default); its 'vs bare' is against the bare page with {one} "
              "worker(s). ds search is unranked (ORDER BY id), 20 rows, with its suggested "
              "facets.")


if __name__ == "__main__":
    main()
