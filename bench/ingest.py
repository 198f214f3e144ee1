"""End-to-end ingest throughput: synthetic 500-word Swedish articles with quotes, written as
.txt files (+ .meta.json) and ingested with ``app.ingest.service.ingest_files`` (read ->
extract with the shipped pipelines -> write -> commit, one transaction per article) into a
fresh SQLite database and a scratch PostgreSQL database (created and dropped here).

    python bench/ingest.py [--n 5000] [--engines sqlite postgresql] [--jobs 1 2]

Each engine is measured with every ``--jobs`` value (extraction processes; 1 is the baseline
of the same run: batched extraction in the writing process). Target: >= 30 articles/s on
2 cores.

The same run also times extraction alone, with no database (the first ``--ceiling`` articles
through the same pipelines on the same number of processes): the most any ingest could reach
on this machine with these models. "of extraction" is the ingest rate as a share of it, so
the cost of reading, writing and indexing is visible apart from the machine's speed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.config import Settings
from app.extraction.parallel import available_cores
from app.ingest.service import ExtractorLike, ingest_files
from app.main import load_extractor
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from corpus import articles

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_SCRATCH = "citat_bench_ingest"


def write_files(n: int, folder: Path) -> list[Path]:
    """``n`` article files with sidecar metadata."""
    paths = []
    for i, (title, body) in enumerate(articles(n)):
        path = folder / f"a{i:05d}.txt"
        path.write_text(body, encoding="utf-8")
        meta = {"title": title, "source": "Bänkbladet",
                "published_at": f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}"}
        path.with_name(f"a{i:05d}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
        paths.append(path)
    return paths


def run(url: str, files: list[Path], extractor: ExtractorLike, jobs: int
        ) -> tuple[float, int, int, int]:
    """Ingest ``files`` into ``url`` on ``jobs`` processes: (seconds, new, failed, quotes)."""
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    summary = ingest_files(lambda: Session(engine), extractor, files,
                           Settings().max_upload_bytes, jobs=jobs)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed, summary.new, len(summary.failed), summary.quotes


def extraction_only(files: list[Path], extractor: ExtractorLike, jobs: int) -> float:
    """Articles/s of extraction alone (no reading into a database, no writing)."""
    from app.extraction.parallel import ExtractorPool, extract_each

    texts = [p.read_text(encoding="utf-8") for p in files]
    t0 = time.perf_counter()
    if jobs > 1:
        with ExtractorPool(extractor, jobs) as pool:
            done = list(pool.extract_many(texts))
    else:
        done = extract_each(extractor, texts)
    elapsed = time.perf_counter() - t0
    failed = [d for d in done if isinstance(d, str)]
    if failed:
        raise SystemExit(f"extraction failed: {failed[0]}")
    return len(texts) / elapsed


def pg_database(create: bool, name: str = PG_SCRATCH) -> None:
    """Create (or drop) a scratch PostgreSQL database (a fixed name of the bench's own)."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if create:
            con.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()


def main() -> None:
    """Generate, load the pipelines once, ingest into each engine, report articles/s."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=5000, help="articles")
    ap.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, available_cores()])
    ap.add_argument("--ceiling", type=int, default=1000,
                    help="articles timed through extraction alone (0: skip)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="citat-ingest-") as tmp:
        folder = Path(tmp)
        files = write_files(args.n, folder)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in files) / len(files)
        t0 = time.perf_counter()
        extractor = load_extractor(Settings())
        print(f"{args.n} articles of ~{words:.0f} words; pipelines loaded in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        ceiling: dict[int, float] = {}
        for jobs in args.jobs if args.ceiling else []:
            ceiling[jobs] = extraction_only(files[:args.ceiling], extractor, jobs)
            print(f"extraction alone jobs={jobs}: {ceiling[jobs]:.1f} articles/s", flush=True)
        results = []
        for engine in args.engines:
            for jobs in args.jobs:
                if engine == "sqlite":
                    db = folder / f"ingest-{jobs}.db"
                    db.unlink(missing_ok=True)
                    url = f"sqlite:///{db}"
                else:
                    pg_database(create=True)
                    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_SCRATCH}"
                try:
                    elapsed, new, failed, quotes = run(url, files, extractor, jobs)
                finally:
                    if engine != "sqlite":
                        pg_database(create=False)
                results.append((engine, jobs, elapsed, new, failed, quotes))
                print(f"{engine} jobs={jobs}: {new} new, {failed} failed, {quotes} quotes in "
                      f"{elapsed:.1f} s = {new / elapsed:.1f} articles/s", flush=True)
    print(f"\n{available_cores()} cores")
    print("engine      jobs  articles  seconds  articles/s  vs jobs=1  of extraction  quotes"
          "  target >= 30/s")
    base = {e: n / t for e, j, t, n, _, _ in results if j == 1}
    for engine, jobs, elapsed, new, failed, quotes in results:
        rate = new / elapsed
        ratio = f"{rate / base[engine]:.2f}x" if engine in base else "-"
        share = f"{rate / ceiling[jobs]:.0%} of {ceiling[jobs]:.1f}" if jobs in ceiling else "-"
        print(f"{engine:<11} {jobs:>4} {new:>9} {elapsed:>8.1f} {rate:>11.1f} {ratio:>9} "
              f"{share:>14} {quotes:>7}  {'met' if rate >= 30 and not failed else 'MISSED'}")


if __name__ == "__main__":
    main()
