"""Scale-out check on this machine: a scratch PostgreSQL database, ``citat serve --workers 2``
(CITAT_WORKER_IN_PROCESS=false) and two ``citat worker`` processes on a PostgreSQL (default)
or Redis queue, under a mixed load of searches, permalink views and uploads through
POST /api/articles for --seconds; then checks no 5xx, no connection errors, and that every
uploaded text is exactly one article that reached status done. Stops everything it started
and drops the scratch database.

    python bench/scaleout.py [--seconds 60] [--queue postgresql|redis] [--upload-rate 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from procs import ROOT, VENV_BIN, app_env, free_port, stop, wait_ready
from sqlalchemy import create_engine, text

from corpus import VOCAB, articles

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
SCRATCH = "citat_bench_scaleout"
LOG_DIR = Path("/tmp/citat-bench/scaleout")


def admin(sql: str) -> None:
    """Run one statement on the postgres database (autocommit)."""
    engine = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as con:
        con.execute(text(sql))
    engine.dispose()


def start(args: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    """A ``citat`` command in its own process group, its output in LOG_DIR/name.log."""
    log = open(LOG_DIR / f"{name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen([str(VENV_BIN / "citat"), *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


class Load:
    """Counters shared by the load threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.status: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.uploads: dict[str, int] = {}  # text -> article id
        self.latency: dict[str, list[float]] = {"search": [], "permalink": [], "upload": []}

    def record(self, kind: str, status: int | None, seconds: float, error: str = "") -> None:
        """Count one response (or a connection error)."""
        with self.lock:
            self.status[f"{kind} {status or 'ERR'}"] += 1
            self.latency[kind].append(seconds)
            if error:
                self.errors[error] += 1


def reader(base: str, ids: list[str], stop_at: float, load: Load, seed: int) -> None:
    """Searches and permalink views until ``stop_at``."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < stop_at:
            if rng.random() < 0.5:
                kind, path = "search", f"/search?q={rng.choice(VOCAB.common[10:] + VOCAB.rare)}"
            else:
                kind, path = "permalink", f"/q/{rng.choice(ids)}"
            t0 = time.perf_counter()
            try:
                status = client.get(path).status_code
                load.record(kind, status, time.perf_counter() - t0)
            except httpx.HTTPError as exc:
                load.record(kind, None, time.perf_counter() - t0, type(exc).__name__)


def uploader(base: str, texts: list[str], rate: float, stop_at: float, load: Load) -> None:
    """POST /api/articles at ``rate`` per second; every tenth post repeats an earlier text."""
    rng = random.Random(5)
    sent: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i in itertools.count():
            if time.monotonic() >= stop_at:
                return
            body = rng.choice(sent) if sent and i % 10 == 9 else texts[len(sent)]
            t0 = time.perf_counter()
            try:
                r = client.post("/api/articles", json={"text": body, "title": f"Last {i}"})
                load.record("upload", r.status_code, time.perf_counter() - t0)
                if r.status_code in (200, 201):
                    article_id = int(r.json()["id"])
                    with load.lock:
                        if load.uploads.setdefault(body, article_id) != article_id:
                            load.errors["same text, different article id"] += 1
                    if body not in sent:
                        sent.append(body)
            except httpx.HTTPError as exc:
                load.record("upload", None, time.perf_counter() - t0, type(exc).__name__)
            time.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))


def pct(xs: list[float], p: float) -> float:
    """Nearest-rank percentile in ms."""
    s = sorted(xs) or [0.0]
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))] * 1000


def main() -> None:
    """Start the setup, load it, check, stop."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--queue", choices=["postgresql", "redis"], default="postgresql")
    ap.add_argument("--readers", type=int, default=6, help="reading client threads")
    ap.add_argument("--upload-rate", type=float, default=2.0, help="uploads per second")
    ap.add_argument("--stagger", type=float, default=0.0,
                    help="seconds between the two worker starts (0: both at once)")
    ap.add_argument("--drain", type=int, default=600, help="seconds to wait for the workers")
    args = ap.parse_args()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    admin(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
    admin(f"CREATE DATABASE {SCRATCH}")
    db_url = f"{PG}/{SCRATCH}"
    queue = (f"postgresql://postgres@127.0.0.1:5432/{SCRATCH}" if args.queue == "postgresql"
             else "redis://127.0.0.1:6379/13")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_env(db_url, CITAT_QUEUE=queue, CITAT_WORKERS="1",
                  CITAT_SECRET_FILE=str(LOG_DIR / "secret"))
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    procs: list[subprocess.Popen[bytes]] = []
    n_uploads = int(args.seconds * args.upload_rate) + 50
    texts = [f"Bänkprov {i}.\n\n{body}" for i, (_, body) in enumerate(articles(n_uploads + 20,
                                                                               seed=23))]
    load = Load()
    try:
        subprocess.run([str(VENV_BIN / "citat"), "migrate"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        procs.append(start(["serve", "--workers", "2", "--port", str(port)], env, "serve"))
        for w in range(2):
            procs.append(start(["worker"], env, f"worker{w}"))
            if args.stagger:  # let the first worker create the queue tables alone
                time.sleep(args.stagger)
        wait_ready(base + "/", procs[0])
        # Seed a few articles through the API so there is something to read.
        with httpx.Client(base_url=base, timeout=60) as client:
            for body in texts[-20:]:
                client.post("/api/articles", json={"text": body}).raise_for_status()
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.drain:
                items = client.get("/api/quotes", params={"limit": 50}).json()["items"]
                if len(items) >= 20:
                    break
                time.sleep(1)
            ids = [q["id"] for q in items]
        print(f"started serve (2 workers) + 2 citat worker on {args.queue} queue; "
              f"{len(ids)} quotes to view; load for {args.seconds} s", flush=True)
        stop_at = time.monotonic() + args.seconds
        threads = [threading.Thread(target=reader, args=(base, ids, stop_at, load, s))
                   for s in range(args.readers)]
        threads.append(threading.Thread(
            target=uploader, args=(base, texts[:-20], args.upload_rate, stop_at, load)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dead = [name for name, p in zip(("serve", "worker0", "worker1"), procs, strict=True)
                if p.poll() is not None]
        # Drain: every uploaded article must reach done.
        engine = create_engine(db_url)
        t0 = time.monotonic()
        while True:
            with engine.connect() as con:
                pending = con.execute(text(
                    "SELECT count(*) FROM article WHERE status IN ('queued', 'processing')"
                )).scalar_one()
            if not pending or time.monotonic() - t0 > args.drain:
                break
            time.sleep(2)
        drained = time.monotonic() - t0
        with engine.connect() as con:
            rows = con.execute(text("SELECT text, id, status FROM article")).all()
        engine.dispose()
    finally:
        for p in procs:
            stop(p, timeout=30)
        admin(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
    by_text = Counter(r[0] for r in rows)
    status_of = {r[0]: r[2] for r in rows}
    lost = [t for t in load.uploads if t not in by_text]
    dup = [t for t, c in by_text.items() if c > 1]
    not_done = [t for t in load.uploads if status_of.get(t) != "done"]
    fivexx = sum(c for k, c in load.status.items() if k.endswith(("ERR",)) or k[-3] == "5")
    print(f"\nresponses: {dict(sorted(load.status.items()))}")
    for kind, xs in load.latency.items():
        print(f"{kind:<10} n={len(xs):>6} p50 {pct(xs, 50):7.1f} ms  p95 {pct(xs, 95):7.1f} ms  "
              f"({len(xs) / args.seconds:.1f}/s)")
    print(f"connection/other errors: {dict(load.errors) or 0}")
    print(f"uploaded texts: {len(load.uploads)}; articles stored: {len(rows)} "
          f"(20 seeded); lost {len(lost)}, duplicated {len(dup)}, not done {len(not_done)}; "
          f"queue drained {drained:.0f} s after the load")
    print(f"processes that died during the run: {dead or 'none'} (logs in {LOG_DIR})")
    ok = not (fivexx or load.errors or lost or dup or not_done or dead)
    print("RESULT:", "PASS" if ok else "FAIL")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
