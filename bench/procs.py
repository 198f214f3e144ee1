"""Start and stop the processes the benchmarks measure (only ever the ones they started)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """Environment for a web process: no seeds, no in-process worker, high rate limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITAT_")}
    env.update({
        "CITAT_DATABASE_URL": database_url,
        "CITAT_WORKER_IN_PROCESS": "false",
        "CITAT_LOAD_SEEDS": "false",
        "CITAT_QUEUE": "immediate",
        "CITAT_RATELIMIT_UPLOAD": "100000/minute",
        "CITAT_RATELIMIT_LOGIN": "100000/minute",
        "CITAT_RATELIMIT_REPORT": "100000/minute",
        "CITAT_SECRET_KEY": "bench-secret",
    })
    env.update(extra)
    return env


def uvicorn(target: str, port: int, workers: int, env: dict[str, str], factory: bool = True,
            log: Path | None = None, cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    """uvicorn with uvloop and httptools, in its own process group (``cwd``: the checkout
    whose ``app`` it imports; uvicorn puts its working directory first on the path)."""
    cmd = [str(VENV_BIN / "uvicorn"), target, "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--loop", "uvloop", "--http", "httptools",
           "--no-access-log", "--log-level", "warning"]
    if factory:
        cmd.insert(2, "--factory")
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    """Block until ``url`` answers (any status below 500)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def stop(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop a process we started (and its children: it leads its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (uvicorn's workers)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _cpu_ms(pid: int) -> float:
    """User and system CPU ms ``pid`` has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") * 1000


def postgres_pids(database: str) -> list[int]:
    """The server processes (on this machine) serving connections to ``database``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if cmd.startswith(b"postgres") and database.encode() in cmd.split(b" "):
            found.append(int(pid))
    return found


def serving_cpu_ms(pid: int, database: str | None = None) -> float:
    """CPU ms used so far by a server process, its children (uvicorn's workers) and, for a
    PostgreSQL ``database`` on this machine, the server processes serving it."""
    pids = [pid, *children(pid)] + (postgres_pids(database) if database else [])
    return sum(_cpu_ms(p) for p in pids)


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def copy_db(src: Path, dst: Path) -> Path:
    """A private copy of a SQLite benchmark database (its -wal is empty after a build)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


DATASETTE_MISSING = ("datasette is not installed in this venv: pip install datasette "
                     "(a benchmark-only tool, deliberately not in pyproject.toml)")


def require_datasette() -> Path:
    """The ``datasette`` executable of this venv; exits non-zero with "pip install datasette"
    when it is missing."""
    exe = VENV_BIN / "datasette"
    if importlib.util.find_spec("datasette") is None or not exe.exists():
        raise SystemExit(DATASETTE_MISSING)
    return exe


def datasette_metadata(db: Path, directory: Path) -> Path:
    """Datasette metadata that points the table ``quote`` of ``db`` at Citat's FTS5 table.

    ``quote_fts`` is a plain (not external-content) FTS5 table whose rowid is ``quote.id``, so
    Datasette cannot detect it: ``fts_table``/``fts_pk`` tell it to run ``?_search=`` as
    ``id IN (SELECT rowid FROM quote_fts WHERE quote_fts MATCH :search)``. The index holds
    Snowball stems, so the search string must be a stemmed FTS5 expression: ``searchmode raw``
    passes it to MATCH unchanged (Datasette's default "escaped" mode would quote every token and
    lose prefixes and OR).
    """
    meta = {"databases": {db.stem: {"tables": {"quote": {
        "fts_table": "quote_fts", "fts_pk": "id", "searchmode": "raw"}}}}}
    path = directory / f"datasette-{db.stem}.json"
    path.write_text(json.dumps(meta, indent=2) + "\n")
    return path


def datasette(db: Path, port: int, metadata: Path, log: Path | None = None
              ) -> subprocess.Popen[bytes]:
    """``datasette serve -i db`` (immutable, read-only) on the loopback interface, in its own
    process group. Datasette is one process (no --workers); its settings stay at their
    defaults (num_sql_threads 3, sql_time_limit_ms 1000, suggest_facets on)."""
    cmd = [str(require_datasette()), "serve", "-i", str(db), "--host", "127.0.0.1",
           "--port", str(port), "--metadata", str(metadata)]
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
