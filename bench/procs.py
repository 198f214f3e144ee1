"""Start and stop the processes the benchmarks measure (only ever the ones they started)."""

from __future__ import annotations

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
            log: Path | None = None) -> subprocess.Popen[bytes]:
    """uvicorn with uvloop and httptools, in its own process group."""
    cmd = [str(VENV_BIN / "uvicorn"), target, "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--loop", "uvloop", "--http", "httptools",
           "--no-access-log", "--log-level", "warning"]
    if factory:
        cmd.insert(2, "--factory")
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
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
