"""The real mix over HTTP: wrk over *distinct* URLs with the page cache on, so (almost) every
answer is rendered for its first reader, as for a permalink shared once or a search nobody
typed before. Beside the bare FastAPI + Jinja page in the same run.

    python bench/http_distinct.py [--n 100000] [--seconds 6] [--workers 2]
                                  [--roots PATH ...] [--labels NAME ...] [--pg URL]
                                  [--env LABEL:VAR=VALUE[,VAR=VALUE] ...] [--rounds 1]
                                  [--pages NAME ...] [--echoes]

Pages, each a pool of different URLs drawn (seeded) from the benchmark database, no URL asked
twice until its pool is used up (then the wrap-around is reported as "repeats"):

* ``permalink``: ``/q/{id}``, ``--urls`` different quotes;
* ``search``: ``/search?q=…``, ``--urls`` different queries of one or two words taken from
  quotes in the archive (facets, name matches and highlighting included);
* ``speaker``: ``/speakers/{slug}``, every speaker, and its next pages (up to 3) as the
  pager links them (``?after=<cursor>&page=N``, keyset pagination);
* ``entity``: ``/entities/{slug}``, every entity, every page of its quotes by cursor;
* ``article``: ``/articles/{id}``, ``--urls`` different articles;
* ``home``: ``/`` (one URL: cached, as real traffic sees it).

``--roots`` measures several checkouts of the app in the same run (for example the branch's
starting code in a second git worktree, then this one), each started from its own folder on the
same copy of the database, all running at once and measured page by page in turn (on a shared
machine the load drifts over minutes); the database is built and its aggregate tables filled
by the code of this checkout (a checkout that predates them ignores the tables). wrk runs two
threads, each starting at a different place in the pool; the first URLs of each pool warm the
workers and are not measured. Needs wrk (``apt-get install -y wrk``).

``--env`` runs every checkout once per setting of the environment, as rows of their own in
the same run (``--env unset: one:CITAT_REQUEST_THREADS=1``: ``LABEL:`` alone runs the app's
defaults; several variables separated by commas); with several checkouts the rows are
``CHECKOUT+LABEL``.

``--rounds R`` measures each page R times in turn (every other round in the reverse order,
each going on through the pool where the label's last round stopped): req/s the mean, p50
and p99 the median of the rounds'.

Each row also gives the CPU a request of its server's processes (and, on PostgreSQL, of the
server processes serving its database; from ``/proc``), steadier than req/s on a shared
machine.

``--pg URL`` (a PostgreSQL server whose user may create databases, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) copies the same database into
PostgreSQL (``bench/pgcopy.py``: the same ids, so the same URLs) and measures every checkout on
it too, beside its SQLite run (label ``NAME/pg``). The database is built once per ``--n``
(``bench/search.py``'s bulk build: ~2-3 min at 1,000,000 quotes) and its aggregates filled
once; "also reported in" links are found only with ``--echoes`` (one search a quote: hours at
a million, and the synthetic quotes never repeat, so none are found).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from pgcopy import to_postgres
from procs import (
    ROOT,
    app_env,
    copy_db,
    free_port,
    serving_cpu_ms,
    stop,
    uvicorn,
    wait_ready,
)
from runs import Row, env_variants, summary, variants
from search import build
from sqlalchemy import text
from sqlmodel import Session

from app.storage import aggregates
from app.storage.db import make_engine
from app.storage.keyset import Cursor
from app.storage.migrate import upgrade

BENCH = Path(__file__).resolve().parent
WARM = 200  # URLs of each pool used to warm the workers (never measured)
PAGE = 20  # quotes a list page shows (app/web/lists.py)
LUA = """
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
paths = {%s}
counter = 0
request = function()
  local i = (counter * 2 + tid) %% #paths + 1
  counter = counter + 1
  return wrk.format("GET", paths[i])
end
"""


def prepare(db: Path, echoes: bool = False) -> None:
    """Bring the copy to this checkout's schema and fill its aggregates and kept links when
    empty (a bulk-built database has none: the benchmark inserts rows without the write
    path); the echoes ("also reported in") only when asked."""
    url = f"sqlite:///{db}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        if not aggregates.stored(session).quotes:
            aggregates.rebuild(session)
            if echoes:
                aggregates.rebuild_echoes(session)
            session.commit()
        if not session.execute(text("SELECT 1 FROM entityquote LIMIT 1")).first():
            aggregates.rebuild_entity_quotes(session)
            session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()


def _cursors(con: sqlite3.Connection, sql: str, pages: int | None) -> list[str]:
    """The URL of every page (up to ``pages``) of some lists as their pagers link them: the
    first page bare, each next one after the last row of the one before (``sql`` yields the
    list's URL, then each row's place in list order and its number within its list)."""
    out: list[str] = []
    last: tuple[str, str, int, int, int] | None = None
    for key, day, article, start, qid, n in con.execute(
            f"SELECT * FROM ({sql}) ORDER BY 1, 6"):
        page = (n - 1) // PAGE + 1
        if n == 1:
            out.append(key)
        elif (n - 1) % PAGE == 0 and (pages is None or page <= pages) and last is not None:
            cursor = Cursor(datetime.fromisoformat(last[1]), last[2], last[3], last[4])
            out.append(f"{key}?{urlencode({'after': cursor.encode(), 'page': page})}")
        last = (key, day, article, start, qid)
    return out


def pools(db: Path, urls: int, seed: int = 5) -> dict[str, list[str]]:
    """Every page's URLs, shuffled (seeded)."""
    rng = random.Random(seed)
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("SELECT public_id FROM quote WHERE hidden = 0")]
    articles = [r[0] for r in con.execute("SELECT id FROM article")]
    # Each row's place in its list (``app.storage.keyset``): the row before a page's first.
    order = "ORDER BY {0}article_date DESC, {0}article_id DESC, {0}start, {1})"
    speakers = _cursors(con, (
        "SELECT '/speakers/' || s.slug, q.article_date, q.article_id, q.start, q.id, "
        "row_number() OVER (PARTITION BY q.speaker_id " + order.format("q.", "q.id") +
        " FROM quote q JOIN speaker s ON s.id = q.speaker_id WHERE q.hidden = 0"), 3)
    entities = _cursors(con, (
        "SELECT '/entities/' || e.slug, l.article_date, l.article_id, l.start, l.quote_id, "
        "row_number() OVER (PARTITION BY l.entity_id " + order.format("l.", "l.quote_id") +
        " FROM entityquote l JOIN entity e ON e.id = l.entity_id"), None)
    texts = [r[0] for r in con.execute("SELECT text FROM quote ORDER BY id LIMIT 20000")]
    con.close()
    words = sorted({w.strip(".,!?”\"'").lower() for t in texts for w in t.split()} - {""})
    queries: set[str] = set()
    while len(queries) < min(urls, len(words) ** 2 // 2):
        q = rng.choice(words) if rng.random() < 0.5 else " ".join(rng.sample(words, 2))
        queries.add(q)
    out = {
        "permalink": [f"/q/{i}" for i in rng.sample(ids, min(urls, len(ids)))],
        "search": ["/search?" + urlencode({"q": q}) for q in sorted(queries)],
        "speaker": speakers,
        "entity": entities,
        "article": [f"/articles/{a}" for a in rng.sample(articles, min(urls, len(articles)))],
    }
    for paths in out.values():
        rng.shuffle(paths)
    out["home"] = ["/"]
    return out


def wrk(url: str, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    """req/s, p50/p99 ms, requests, errors of wrk going through ``paths`` (2 threads)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % ", ".join(f'"{p}"' for p in paths))
        script = fh.name
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
         "-s", script, url], capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    Path(script).unlink()

    def ms(pct: str) -> float:
        m = re.search(pct + r"%\s+([\d.]+)(us|ms|s)\b", out)
        assert m, out
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    errors = 0
    for pat in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), "
                r"write (\d+), timeout (\d+)"):
        e = re.search(pat, out)
        if e:
            errors += sum(int(x) for x in e.groups())
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "requests": done, "errors": errors}


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=300) as r:
        r.read()


def measure(base: str, name: str, paths: list[str], label: str, args: argparse.Namespace,
            rows: list[Row], done: dict[tuple[str, str], int],
            cpu: Callable[[], float] = lambda: 0.0) -> None:
    """Warm the workers on the pool's first URLs (the first time), then measure the rest of
    it, from where this label's last round of this page stopped (``done``: requests so far)."""
    warm, rest = (paths[:WARM], paths[WARM:]) if len(paths) > 2 * WARM else (paths, paths)
    key = (label, name)
    if key not in done:
        # One at a time first, waiting as long as it takes: what a worker loads on its first
        # page of a kind (the search lexicons, the names in memory) is loaded before wrk's
        # clock starts (two connections at once, so that both workers take some).
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda p: _get(base + p), warm[:20]))
        wrk(base, warm, 1, args.connections)
        done[key] = 0
    start = done[key] % len(rest)
    cpu0 = cpu()
    figures = wrk(base, rest[start:] + rest[:start], args.seconds, args.connections)
    # CPU a request of the server's processes (and its PostgreSQL ones): what its req/s
    # would be on idle cores, steadier than req/s on a shared machine.
    figures["cpu"] = (cpu() - cpu0) / max(1, figures["requests"])
    # The pool as this label has gone through it so far: later rounds count as repeats what
    # earlier ones asked (``summary``).
    done[key] += int(figures["requests"])
    rows.append((label, name, figures, len(rest)))
    print(label, name, figures, f"pool {len(rest)}", flush=True)


def main() -> None:
    """Build or reuse the database, then each checkout and the bare page in turn."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="quotes in the database")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/citat-bench"))
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=1, help="measure each page this many times "
                    "in turn (every other round in the reverse order), each round going on "
                    "through the pool; req/s the mean, p50/p99 the median")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--urls", type=int, default=20_000, help="URLs per pool (at most)")
    ap.add_argument("--roots", type=Path, nargs="+", default=[ROOT],
                    help="checkouts of the app to measure, in this order")
    ap.add_argument("--labels", nargs="+", default=None)
    ap.add_argument("--env", nargs="+", default=[], metavar="LABEL:VAR=VALUE[,VAR=VALUE]",
                    help="run every checkout once per setting, as rows of their own (LABEL: "
                    "alone: the defaults), e.g. unset: one:CITAT_REQUEST_THREADS=1")
    ap.add_argument("--pages", nargs="+", default=None, help="only these pages")
    ap.add_argument("--pg", help="also on a copy in this PostgreSQL server (SQLAlchemy URL)")
    ap.add_argument("--pg-name", help="the PostgreSQL copy's database name (default "
                    "citat_bench_distinct_N; another name keeps two people's runs apart)")
    ap.add_argument("--echoes", action="store_true",
                    help="find the 'also reported in' links too (one search a quote)")
    args = ap.parse_args()
    # Stopped (kill PID): the servers started are stopped too (``finally``).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        envs = env_variants(args.env)
    except ValueError as e:
        ap.error(str(e))
    roots = list(zip(args.labels or [r.name for r in args.roots], args.roots, strict=True))
    db = args.dir / f"distinct-{args.n}.db"
    if not db.exists():  # built and prepared once, then reused
        tmp = copy_db(build(args.n, args.dir), args.dir / f"distinct-{args.n}.tmp")
        prepare(tmp, args.echoes)
        tmp.rename(db)
    prepare(db, args.echoes)
    runs = variants(roots, envs)
    targets = [(label, root, f"sqlite:///{db}", extra) for label, root, extra in runs]
    if args.pg:
        pg = to_postgres(db, args.pg, args.pg_name or f"citat_bench_distinct_{args.n}")
        targets += [(f"{label}/pg", root, pg, extra) for label, root, _, extra in targets]
    pools_ = pools(db, args.urls)
    if args.pages:
        pools_ = {k: v for k, v in pools_.items() if k in args.pages}
    print({k: len(v) for k, v in pools_.items()}, "URLs in the pools", flush=True)
    rows: list[Row] = []
    done: dict[tuple[str, str], int] = {}
    load0 = os.getloadavg()[0]
    servers: list[tuple[str, str, subprocess.Popen[bytes], str | None]] = []
    try:  # every checkout up at once, measured page by page in turn (the load drifts)
        for label, root, url, extra in targets:
            port = free_port()
            env = {**app_env(url, **extra), "PYTHONPATH": str(root.resolve())}
            proc = uvicorn("app.main:create_app", port, args.workers, env, cwd=root.resolve())
            database = url.rsplit("/", 1)[1] if url.startswith("postgresql") else None
            servers.append((label, f"http://127.0.0.1:{port}", proc, database))
        for _, base, proc, _ in servers:  # started together, waited for in turn
            wait_ready(f"{base}/", proc)
        for name, paths in pools_.items():
            for r in range(args.rounds):  # every other round in the reverse order
                for label, base, proc, database in servers[::-1] if r % 2 else servers:
                    measure(base, name, paths, label, args, rows, done,
                            lambda p=proc.pid, d=database: serving_cpu_ms(p, d))
    finally:
        for _, _, proc, _ in servers:
            stop(proc)
    port = free_port()
    env = {**app_env(""), "BARE_DB": str(db), "PYTHONPATH": str(BENCH)}
    bare = uvicorn("bare_app:app", port, args.workers, env, factory=False, cwd=BENCH)
    try:
        wait_ready(f"http://127.0.0.1:{port}{pools_['permalink'][0]}"
                   if "permalink" in pools_ else f"http://127.0.0.1:{port}/docs", bare)
        for _ in range(args.rounds):
            measure(f"http://127.0.0.1:{port}", "bare page", pools(db, args.urls)["permalink"],
                    "bare", args, rows, done, lambda: serving_cpu_ms(bare.pid))
    finally:
        stop(bare)
    rows = summary(rows)
    bare_rps, bare_cpu = rows[-1][2]["rps"], rows[-1][2]["cpu"]
    print(f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, {args.workers} workers, "
          f"N = {args.n:,} quotes, distinct URLs, CITAT_CACHE_SECONDS default (cache on); "
          f"load average (1 min) at the start: {load0:.2f}, at the end: "
          f"{os.getloadavg()[0]:.2f}")
    for label, _, extra in runs if envs else []:
        print(f"{label}: " + (", ".join(f"{k}={v}" for k, v in extra.items()) or "defaults"))
    if args.rounds > 1:
        print(f"{args.rounds} rounds a page in turn: req/s the mean, p50 and p99 the median of "
              "the rounds', p99 max the highest; requests the sum")
    many = f" {'p99 max':>8}" if args.rounds > 1 else ""
    print("CPU ms: CPU a request of the server's processes (and of its PostgreSQL "
          "database's server processes); CPU vs bare: the bare page's CPU a request / this "
          "page's")
    print(f"{'code':<14} {'page':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}{many} "
          f"{'requests':>9} {'pool':>6} {'repeats':>8} {'errors':>6} {'vs bare':>8} "
          f"{'vs ' + runs[0][0]:>10} {'CPU ms':>7} {'CPU vs bare':>11}")
    first = {name: r["rps"] for label, name, r, _ in rows if label == runs[0][0]}
    for label, name, r, pool in rows:
        repeats = max(0.0, (r["requests"] - pool) / r["requests"]) if r["requests"] else 0.0
        ratio = f"{r['rps'] / first[name]:9.2f}x" if first.get(name) else f"{'-':>10}"
        most = f" {r['p99max']:8.1f}" if args.rounds > 1 else ""
        print(f"{label:<14} {name:<10} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f}{most} "
              f"{int(r['requests']):>9} {pool:>6} {repeats:8.0%} {int(r['errors']):>6} "
              f"{r['rps'] / bare_rps:8.0%} {ratio} {r['cpu']:7.2f} "
              f"{bare_cpu / r['cpu'] if r['cpu'] else 0:11.0%}")


if __name__ == "__main__":
    main()
