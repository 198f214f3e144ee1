"""Requests answered while a max-size hostile post is extracted (issue 25's probe).

Starts ``citat serve`` as a real process (default settings: the in-process queue worker, a
SQLite queue; the seeds in a fresh SQLite database), times other requests one after another
(home, quote list, search, speakers) while idle, then posts a text of the largest accepted size
that is one single word (``a`` x ``CITAT_MAX_UPLOAD_BYTES`` - 100) and times the same requests
until its extraction is over. ``--before`` runs the same against the old layout in the same
run (extraction on a worker thread of the web process: ``isolated_extractor`` patched to the
web process's own pipelines) as the baseline.

    python bench/hostile_post.py [--before] [--idle 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from procs import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("/", "/api/quotes?limit=20", "/search?q=regeringen", "/speakers")

NOW = "import sys; sys.argv = ['citat', 'serve']\nfrom app.cli import main; main()\n"
BEFORE = (
    "import app.main as m\n"
    "m.isolated_extractor = lambda settings: m.load_extractor(settings)\n" + NOW
)


def serve(code: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    """``citat serve`` on ``port`` with a fresh database in ``folder``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITAT_")}
    env.update({
        "CITAT_DATABASE_URL": f"sqlite:///{folder / 'citat.db'}", "CITAT_PORT": str(port),
        "CITAT_QUEUE": f"sqlite:///{folder / 'queue.db'}", "CITAT_LOAD_DEMO": "false",
        "CITAT_SECRET_FILE": str(folder / "secret"), "CITAT_CACHE_SECONDS": "0",
        "PYTHONPATH": str(ROOT),
    })
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def wait_up(client: httpx.Client, seconds: float = 300) -> None:
    """Until the app answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.get("/api/quotes?limit=1").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the app did not start")


def timed(client: httpx.Client, n: int) -> float:
    """One request of the rotation; its seconds (a 5xx stops the benchmark)."""
    started = time.perf_counter()
    r = client.get(PATHS[n % len(PATHS)])
    if r.status_code >= 500:
        raise SystemExit(f"{PATHS[n % len(PATHS)]} answered {r.status_code}")
    return time.perf_counter() - started


def during_post(client: httpx.Client, size: int, limit: float = 900) -> tuple[list[float],
                                                                               float, str]:
    """Latencies of other requests while a ``size``-letter single word is extracted; the
    extraction's wall time and the article's final state."""
    r = client.post("/api/articles", json={"text": "a" * size}, timeout=120)
    if r.status_code != 201:
        raise SystemExit(f"the post answered {r.status_code}: {r.text[:200]}")
    article = r.json()["id"]
    started = time.monotonic()
    out: list[float] = []
    status = r.json()["status"]
    n = 0
    while status in ("queued", "processing") and time.monotonic() - started < limit:
        out.append(timed(client, n))
        n += 1
        if n % 5 == 0:
            status = client.get(f"/api/articles/{article}").json()["status"]
    return out, time.monotonic() - started, status


def pct(values: list[float], p: float) -> float:
    """The p-th percentile in ms (nearest rank)."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def run(label: str, code: str, idle: int) -> dict[str, object]:
    """Measure one layout."""
    with tempfile.TemporaryDirectory(prefix="citat-hostile-") as tmp:
        port = free_port()
        proc = serve(code, Path(tmp), port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
                wait_up(client)
                for n in range(20):  # warm up every page
                    timed(client, n)
                quiet = [timed(client, n) for n in range(idle)]
                busy, took, status = during_post(client, 2 * 1024 * 1024 - 100)
        finally:
            stop(proc)
    row = {"layout": label, "idle_p50": pct(quiet, 50), "idle_p99": pct(quiet, 99),
           "busy_n": len(busy), "busy_p50": pct(busy, 50), "busy_p99": pct(busy, 99),
           "busy_max": 1000 * max(busy), "extraction_s": took, "status": status,
           "busy_mean": 1000 * statistics.fmean(busy)}
    print(f"{label:>28}: idle p50 {row['idle_p50']:.0f} ms p99 {row['idle_p99']:.0f} ms | "
          f"during the post ({len(busy)} requests, {took:.1f} s, {status}): p50 "
          f"{row['busy_p50']:.0f} ms p99 {row['busy_p99']:.0f} ms max {row['busy_max']:.0f} ms",
          flush=True)
    return row


def main() -> None:
    """Run the layouts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", action="store_true",
                        help="also the old layout (extraction on a thread of the web process)")
    parser.add_argument("--idle", type=int, default=200, help="requests timed while idle")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    run("now (child process)", NOW, args.idle)
    if args.before:
        run("before (web process thread)", BEFORE, args.idle)
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
