"""HTTP throughput and latency with wrk: permalink, search and speaker pages of the app with 1
and 2 uvicorn workers, beside a bare FastAPI + Jinja page reading one quote (bench/bare_app.py),
all in the same run, loopback only.

    python bench/http.py [--n 100000] [--seconds 10] [--connections 16]

Needs wrk (apt-get install -y wrk). Targets: permalink >= 50 % of the bare page's req/s with
p99 <= 10 ms; search page >= 250 req/s on 2 workers.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from procs import app_env, copy_db, free_port, stop, uvicorn, wait_ready
from search import build

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


def main() -> None:
    """Seeded copy of the benchmark database, then every server and page in turn."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="quotes in the database")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/citat-bench"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    db = copy_db(build(args.n, args.dir), args.dir / "http.db")
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("SELECT public_id FROM quote WHERE id % 997 = 1 LIMIT 50")]
    slugs = [r[0] for r in con.execute("SELECT slug FROM speaker WHERE id IN (1, 7, 50, 300)")]
    con.close()
    pages = {
        "permalink": [f"/q/{i}" for i in ids],
        "search": [f"/search?q={quote(w)}" for w in SEARCH_WORDS],
        "speaker": [f"/speakers/{s}" for s in slugs],
    }
    results: list[tuple[str, int, float, float, int]] = []
    for workers in args.workers:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = uvicorn("app.main:create_app", port, workers, app_env(f"sqlite:///{db}"))
        try:
            wait_ready(base + pages["permalink"][0], proc)
            for name, paths in pages.items():
                wrk(base, paths, 2, args.connections)  # warm every worker
                results.append((name, workers, *wrk(base, paths, args.seconds, args.connections)))
                print(results[-1], flush=True)
        finally:
            stop(proc)
        port = free_port()
        env = {**app_env(""), "BARE_DB": str(db), "PYTHONPATH": str(BENCH)}
        bare = uvicorn("bare_app:app", port, workers, env, factory=False)
        try:
            wait_ready(f"http://127.0.0.1:{port}{pages['permalink'][0]}", bare)
            wrk(f"http://127.0.0.1:{port}", pages["permalink"], 2, args.connections)
            results.append(("bare page", workers,
                            *wrk(f"http://127.0.0.1:{port}", pages["permalink"], args.seconds,
                                 args.connections)))
            print(results[-1], flush=True)
        finally:
            stop(bare)
    print(f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, N = {args.n:,} quotes")
    print(f"{'page':<10} {'workers':>7} {'req/s':>8} {'p99 ms':>8} {'errors':>6} {'vs bare':>8}")
    bare_rps = {w: r for name, w, r, _, _ in results if name == "bare page"}
    for name, w, rps, p99, err in results:
        print(f"{name:<10} {w:>7} {rps:8.0f} {p99:8.1f} {err:>6} {rps / bare_rps[w]:8.0%}")


if __name__ == "__main__":
    main()
