"""Whole-archive exports: time to the first byte, to the first row and to the last of the CSV
and JSON export of ``--n`` quotes, with the web process on one core while other requests keep
it busy.

Builds the benchmark archive once (migrations, then bulk inserts: 50 quotes per article, 500
speakers): ``/tmp/citat-bench/export-N.db`` on SQLite and, with ``--pg URL`` (a server whose
user may create databases, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``),
the database ``citat_bench_export_N`` there too. Starts ``uvicorn app.main:create_app`` pinned
to one core (``taskset -c 0``, ``CITAT_CACHE_SECONDS=0``) and, while two client threads ask
for the home page and the quote list one request after another, downloads each export
``--rounds`` times. ``--before COMMIT`` runs the same against that commit's ``app/`` (``git
archive``), its database brought to that commit's migration head first (and back to this
tree's head after), alternating with this version ``--repeat`` times in the same run.

    python bench/export.py [--n 100000] [--rounds 3] [--before COMMIT] [--repeat 1] [--pg URL]
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


def _pg_database(server: str, n: int) -> str:
    """The URL of the benchmark database on the PostgreSQL server ``server`` (created empty
    when missing)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"citat_bench_export_{n}"
    admin = make_url(server).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def build(n: int, pg: str | None = None) -> str:
    """The URL of the benchmark database with ``n`` quotes (filled once; brought to this
    tree's migration head every time)."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, insert, select
    from sqlmodel import Session

    from app.storage.db import make_engine
    from app.storage.migrate import upgrade
    from app.storage.models import Article, Quote, Speaker

    if pg:
        url = _pg_database(pg, n)
    else:
        path = Path(f"/tmp/citat-bench/export-{n}.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    per = 50
    with Session(engine) as s:
        if s.execute(select(func.count()).select_from(Quote)).scalar_one():
            engine.dispose()
            return url
        speakers = [Speaker(name=f"Talare Nummer{i}", slug=f"talare-nummer{i}")
                    for i in range(500)]
        s.add_all(speakers)
        articles = [Article(content_hash=f"{i:064x}", title=f"Artikel {i} om hamnen",
                            source="Benchtidningen", url=f"https://example.org/a/{i}",
                            text="x", status="done") for i in range(n // per)]
        s.add_all(articles)
        s.flush()
        rows: list[dict[str, object]] = []
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
    return url


def migrate_to(url: str, migrations: Path) -> None:
    """Bring the database at ``url`` to the head of the migrations in ``migrations`` (this
    tree's, which know every revision, do the work: an older head is a downgrade)."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from app.storage.migrate import alembic_config

    theirs = Config()
    theirs.set_main_option("script_location", str(migrations))
    head = ScriptDirectory.from_config(theirs).get_current_head()
    cfg = alembic_config(url)
    current = ScriptDirectory.from_config(cfg)
    if head == current.get_current_head():
        command.upgrade(cfg, "head")
    else:
        command.downgrade(cfg, str(head))


def serve(app_root: Path, db: str, port: int) -> subprocess.Popen[bytes]:
    """uvicorn on one core, with the app found in ``app_root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITAT_")}
    env.update({"CITAT_DATABASE_URL": db, "CITAT_LOAD_SEEDS": "false",
                "CITAT_QUEUE": "immediate", "CITAT_CACHE_SECONDS": "0",
                "CITAT_SECRET_KEY": "bench", "PYTHONPATH": str(app_root)})
    return subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, "-m", "uvicorn", "app.main:create_app",
         "--factory", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=app_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def download(client: httpx.Client, path: str, row_mark: bytes) -> tuple[float, float, float,
                                                                         int]:
    """Seconds to the first body byte, to the first row (the first ``row_mark`` past the
    header), to the last, and the bytes."""
    started = time.perf_counter()
    first = first_row = None
    size = 0
    head = b""
    with client.stream("GET", path) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            now = time.perf_counter() - started
            if first is None:
                first = now
            if first_row is None:
                head = (head + chunk)[:4096]
                if head.count(row_mark) >= (2 if row_mark == b"\n" else 1):
                    first_row = now
            size += len(chunk)
    total = time.perf_counter() - started
    return first or 0.0, first_row or total, total, size


def measure(label: str, app_root: Path, db: str, rounds: int, kinds: list[str]) -> None:
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
                    try:
                        first, row, total, size = download(
                            client, f"/export/quotes.{kind}", b"\n" if kind == "csv" else b"{")
                    except httpx.HTTPStatusError as e:
                        print(f"{label:>10} {kind:>4}: {e.response.status_code}, skipped")
                        break
                    print(f"{label:>10} {kind:>4} round {r + 1}: first byte {first:.3f} s, "
                          f"first row {row:.3f} s, all {total:.2f} s, {size / 1e6:.1f} MB, "
                          f"load {os.getloadavg()[0]:.1f}", flush=True)
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
    parser.add_argument("--repeat", type=int, default=1,
                        help="how many times to alternate the baseline and this version")
    parser.add_argument("--pg", help="also on this PostgreSQL server (SQLAlchemy URL)")
    args = parser.parse_args()
    for db in [build(args.n)] + ([build(args.n, args.pg)] if args.pg else []):
        engine = "PostgreSQL" if db.startswith("postgresql") else "SQLite"
        print(f"{args.n} quotes on {engine}; load average {os.getloadavg()}", flush=True)
        with tempfile.TemporaryDirectory(prefix="citat-before-") as tmp:
            if args.before:
                archive = subprocess.run(
                    ["git", "-C", str(ROOT), "archive", args.before, "app", "templates",
                     "static", "migrations", "pyproject.toml"],
                    check=True, capture_output=True).stdout
                subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            for _ in range(args.repeat):
                if args.before:
                    migrate_to(db, Path(tmp) / "migrations")
                    measure("before", Path(tmp), db, args.rounds, ["csv", "json"])
                    migrate_to(db, ROOT / "migrations")
                measure("now", ROOT, db, args.rounds, ["csv", "json"])
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
