"""Whole-archive exports: time to the first byte and to the last of the CSV and JSON export of
``--n`` quotes, with the web process on one core while other requests keep it busy.

Builds ``/tmp/citat-bench/export-N.db`` once (migrations, then bulk inserts: 50 quotes per
article, 500 speakers), starts ``uvicorn app.main:create_app`` pinned to one core
(``taskset -c 0``, ``CITAT_CACHE_SECONDS=0``) and, while two client threads ask for the home
page and the quote list one request after another, downloads each export ``--rounds`` times.
``--before COMMIT`` runs the same against that commit's ``app/`` (``git archive``) in the same
run as the baseline (it has no JSON export: CSV only).

    python bench/export.py [--n 100000] [--rounds 3] [--before COMMIT]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from procs import free_port, stop

ROOT = Path(__file__).resolve().parent.parent


def build(n: int) -> Path:
    """The benchmark database with ``n`` quotes (made once)."""
    path = Path(f"/tmp/citat-bench/export-{n}.db")
    if path.exists():
        return path
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert
    from sqlmodel import Session

    from app.storage.db import make_engine
    from app.storage.migrate import upgrade
    from app.storage.models import Article, Quote, Speaker

    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    per = 50
    with Session(engine) as s:
        speakers = [Speaker(name=f"Talare Nummer{i}", slug=f"talare-nummer{i}")
                    for i in range(500)]
        s.add_all(speakers)
        articles = [Article(content_hash=f"{i:064x}", title=f"Artikel {i} om hamnen",
                            source="Benchtidningen", url=f"https://example.org/a/{i}",
                            text="x", status="done") for i in range(n // per)]
        s.add_all(articles)
        s.flush()
        rows = []
        for a in articles:
            for k in range(per):
                j = len(rows)
                rows.append({
                    "public_id": f"{j:016x}", "article_id": a.id, "start": k * 100,
                    "end": k * 100 + 80, "type": "direct", "language": "sv",
                    "text": f"Vi bygger om bryggan nummer {j} före sommaren, och det blir bra",
                    "speaker_id": speakers[j % 500].id, "speaker_mention": "hon",
                    "cue": "sade", "confidence": 0.9, "speaker_confidence": 0.8,
                    "hidden": False, "reviewed": False})
        s.execute(insert(Quote), rows)
        s.commit()
    engine.dispose()
    return path


def serve(app_root: Path, db: Path, port: int) -> subprocess.Popen[bytes]:
    """uvicorn on one core, with the app found in ``app_root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITAT_")}
    env.update({"CITAT_DATABASE_URL": f"sqlite:///{db}", "CITAT_LOAD_SEEDS": "false",
                "CITAT_QUEUE": "immediate", "CITAT_CACHE_SECONDS": "0",
                "CITAT_SECRET_KEY": "bench", "PYTHONPATH": str(app_root)})
    return subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, "-m", "uvicorn", "app.main:create_app",
         "--factory", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=app_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def download(client: httpx.Client, path: str) -> tuple[float, float, int]:
    """Seconds to the first body byte, to the last, and the bytes."""
    started = time.perf_counter()
    first = None
    size = 0
    with client.stream("GET", path) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            if first is None:
                first = time.perf_counter() - started
            size += len(chunk)
    return first or 0.0, time.perf_counter() - started, size


def measure(label: str, app_root: Path, db: Path, rounds: int, kinds: list[str]) -> None:
    """Print the export timings of one code version under background load."""
    port = free_port()
    proc = serve(app_root, db, port)
    base = f"http://127.0.0.1:{port}"
    done = threading.Event()
    others: list[float] = []

    def load() -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            n = 0
            while not done.is_set():
                started = time.perf_counter()
                c.get(("/", "/api/quotes?limit=20")[n % 2])
                others.append(time.perf_counter() - started)
                n += 1

    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    client.get("/api/quotes?limit=1")
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the app did not start") from None
                    time.sleep(0.3)
            threads = [threading.Thread(target=load) for _ in range(2)]
            for t in threads:
                t.start()
            for kind in kinds:
                for r in range(rounds):
                    first, total, size = download(client, f"/export/quotes.{kind}")
                    print(f"{label:>10} {kind:>4} round {r + 1}: first byte {first:.3f} s, "
                          f"all {total:.2f} s, {size / 1e6:.1f} MB", flush=True)
            done.set()
            for t in threads:
                t.join()
    finally:
        done.set()
        stop(proc)
    others.sort()
    if others:
        print(f"{label:>10} other requests meanwhile: {len(others)}, p50 "
              f"{1000 * others[len(others) // 2]:.0f} ms, p99 "
              f"{1000 * others[int(0.99 * (len(others) - 1))]:.0f} ms", flush=True)


def main() -> None:
    """Build the database and measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="a commit whose app/ is the same run's baseline")
    args = parser.parse_args()
    db = build(args.n)
    print(f"{args.n} quotes in {db}; load average {os.getloadavg()}", flush=True)
    if args.before:
        with tempfile.TemporaryDirectory(prefix="citat-before-") as tmp:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "app",
                                      "templates", "static", "migrations", "pyproject.toml"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            measure("before", Path(tmp), db, args.rounds, ["csv"])
    measure("now", ROOT, db, args.rounds, ["csv", "json"])
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
