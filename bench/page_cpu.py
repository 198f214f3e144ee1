"""CPU per first-time page, in process: the ASGI app driven directly (the thread pool run
inline, no HTTP client or server), over ``bench/http_distinct.py``'s pools of distinct URLs,
the page cache on as in production (almost every URL asked once). Milliseconds of this
process's CPU a request (mean, p50, p95, p99, max), SQL statements a page and, with ``--url``
a PostgreSQL copy on this machine, the CPU of the server processes serving that database (from
``/proc``) a request; the slowest URLs. Steadier than req/s on a shared machine.

    PYTHONPATH=CHECKOUT python bench/page_cpu.py DB [--url DATABASE_URL] [--pages …]
                                                 [--n 300] [--start 0] [--slow 5]
                                                 [--no-count] [--dump FILE]

Measures whichever checkout is first on ``PYTHONPATH`` (run two in turn on the same ``DB``,
e.g. ``git archive`` of the starting commit); ``DB`` is ``http_distinct.py``'s
``distinct-N.db`` (its URLs), ``--url`` serves them from its PostgreSQL copy (``pgcopy.py``:
the same ids). The first ``--skip`` URLs of each pool warm the process and are not measured.
``--dump FILE`` writes each measured request's page and CPU ms, one a line (the samples
``bench/closed_loop.py`` draws from).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_distinct import pools
from sqlalchemy import event

from app.config import Settings
from app.main import create_app


async def _inline(func: Any, *args: Any, **_: Any) -> Any:
    return func(*args)


anyio.to_thread.run_sync = _inline  # the route's work on this thread: its CPU is ours


def server_ms(url: str | None) -> float:
    """CPU ms the PostgreSQL processes of ``url``'s database have used so far."""
    if not url:
        return 0.0
    name = url.rsplit("/", 1)[1].encode()
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read()
            if name not in cmd or not cmd.startswith(b"postgres"):
                continue
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK") * 1000


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def asgi_get(app: Any, path: str) -> Any:
    """One GET of ``path`` through the ASGI ``app``, in process (an awaitable of the status)."""
    u = urlsplit(path)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": u.path,
             "raw_path": u.path.encode(), "root_path": "", "query_string": u.query.encode(),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/html")],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "state": {}}
    status = [0]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]

    async def go() -> int:
        await app(scope, receive, send)
        return status[0]

    return go()


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--url", help="serve from this copy of DB (PostgreSQL)")
    ap.add_argument("--pages", nargs="+", default=["search", "speaker", "entity"])
    ap.add_argument("--n", type=int, default=300, help="URLs measured a page")
    ap.add_argument("--skip", type=int, default=30, help="URLs asked first, not measured")
    ap.add_argument("--start", type=int, default=0, help="where in each pool to begin")
    ap.add_argument("--slow", type=int, default=5, help="slowest URLs shown")
    ap.add_argument("--dump", type=Path, help="write 'page ms' of every request measured")
    ap.add_argument("--no-count", action="store_true",
                    help="no cursor listener, statements not counted (with one, the "
                         "permalink's read takes a Connection: db.DriverRead.first_on)")
    args = ap.parse_args()
    settings = Settings(database_url=args.url or f"sqlite:///{args.db}", load_seeds=False,
                        worker_in_process=False, queue="immediate",
                        secret_key="bench-secret-key-bench-secret-key")
    app = create_app(settings, extractor=object())  # type: ignore[arg-type]
    statements = [0]
    urls = pools(args.db, 20_000)
    dumped: list[str] = []

    async def get(path: str) -> int:
        return await asgi_get(app, path)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            if not args.no_count:
                event.listen(app.state.engine, "before_cursor_execute",
                             lambda *_: statements.__setitem__(0, statements[0] + 1))
            for page in args.pages:
                paths = urls[page][args.start:]
                for p in paths[:args.skip]:
                    await get(p)
                rows: list[tuple[float, int, str]] = []
                server0 = server_ms(args.url)
                for p in paths[args.skip:args.skip + args.n]:
                    statements[0] = 0
                    c0 = time.process_time()
                    status = await get(p)
                    assert status in (200, 308), (p, status)
                    rows.append(((time.process_time() - c0) * 1000, statements[0], p))
                server = (server_ms(args.url) - server0) / len(rows)
                cpu = [r[0] for r in rows]
                mean = sum(cpu) / len(cpu)
                print(f"{page:<8} {len(rows)} URLs, CPU ms a request: mean {mean:.2f}"
                      f" p50 {pct(cpu, .5):.2f} p95 {pct(cpu, .95):.2f} p99 {pct(cpu, .99):.2f}"
                      f" max {max(cpu):.2f}; statements "
                      + ("-" if args.no_count else
                         f"{sum(r[1] for r in rows) / len(rows):.1f}"
                         f" (max {max(r[1] for r in rows)})")
                      + (f"; server {server:.2f} ms" if args.url else ""), flush=True)
                for c, s, p in sorted(rows, reverse=True)[:args.slow]:
                    print(f"   {c:7.2f} ms {s:3d} statements  {p[:100]}")
                dumped.extend(f"{page} {c:.3f}" for c in cpu)
            if args.dump:
                args.dump.write_text("\n".join(dumped) + "\n")

    asyncio.run(run())


if __name__ == "__main__":
    main()
