"""Extraction in a child process, with a time limit per article.

The queue's workers (the one inside ``citat serve`` and ``citat worker``) never run spaCy in
their own process: a text goes through a pipe to a child process that holds the pipelines and
sends the Extraction back. The web process's event loop and request threads therefore never
wait for the GIL behind an extraction, a text that takes longer than the limit is stopped (the
child is killed and a fresh one started for the next article), and stopping the server stops
the child at once instead of waiting for the article to finish.

The child is started with ``spawn`` (not ``fork``: the web process has threads, and a forked
copy of a lock another thread held would never be released) and loads the pipelines itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.extraction.records import Extraction

log = logging.getLogger("citat.extract")

#: The reason stored on an article whose extraction ran out of time (translated on its page).
TIMED_OUT = ("Extraction took longer than %(seconds)s seconds and was stopped. The text may "
             "be unusually long or unusual; it was not tried again.")


class ExtractionTimedOut(RuntimeError):
    """The extraction of one article took longer than the limit (final: not retried)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = round(seconds)
        self.message = TIMED_OUT % {"seconds": self.seconds}
        super().__init__(self.message)


class ExtractionStopped(RuntimeError):
    """The extraction process was stopped (the server is shutting down): try again later."""


def load_pipelines(models: dict[str, str]) -> Any:
    """The child's extractor: the configured (``CITAT_MODELS``) or shipped pipelines."""
    from app.extraction.pipeline import Extractor

    return Extractor.load(models)


#: What the child calls to get its extractor (a module-level function: spawn pickles it by
#: name). Tests point it at a slow stand-in before the server starts.
CHILD_FACTORY: Callable[[dict[str, str]], Any] = load_pipelines


def _watch_parent(parent: int) -> None:
    """End this child when the process that started it is gone (even after a kill -9)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _child(conn: Connection, factory: Callable[[dict[str, str]], Any],
           models: dict[str, str], parent: int) -> None:
    """The child's loop: a text in, an Extraction (or the error's text) out, until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal: the server decides
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    extractor = factory(models)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        text, language = job
        try:
            conn.send(("ok", extractor.extract(text, language)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:2000]))


class ExtractorProcess:
    """An extractor (``extract(text)``) whose work runs in a child process, one article at a
    time, each within ``time_limit`` seconds."""

    def __init__(self, time_limit: float, models: dict[str, str] | None = None,
                 *, factory: Callable[[dict[str, str]], Any] | None = None,
                 start_timeout: float = 600.0) -> None:
        self.time_limit = time_limit
        self.models = dict(models or {})
        self.factory = factory or CHILD_FACTORY
        self.start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._closed = False
        #: The child's process id once it is ready (for tests and ``citat status``).
        self.child_pid: int | None = None

    def _start(self) -> Connection:
        """The pipe to a ready child, starting one when there is none (under the lock)."""
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._discard()
        ours, theirs = self._context.Pipe()
        proc = self._context.Process(
            target=_child, args=(theirs, self.factory, self.models, os.getpid()),
            name="citat-extract", daemon=True)
        proc.start()
        theirs.close()
        self._proc, self._conn = proc, ours
        if self._closed:
            self._discard()
            raise ExtractionStopped("the extraction process was stopped")
        if not ours.poll(self.start_timeout):
            self._discard()
            raise RuntimeError("the extraction process did not start in time")
        try:
            _, self.child_pid = ours.recv()
        except (EOFError, OSError):
            self._discard()
            raise self._gone() from None
        return ours

    def _gone(self) -> Exception:
        if self._closed:
            return ExtractionStopped("the extraction process was stopped")
        return RuntimeError("the extraction process ended unexpectedly")

    def _discard(self) -> None:
        """Kill the child (if any) and forget it."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        self.child_pid = None
        if proc is not None and proc.is_alive():
            proc.kill()
        if proc is not None:
            proc.join(10)
        if conn is not None:
            conn.close()

    def start(self) -> None:
        """Start the child now (else the first article starts it)."""
        with self._lock:
            self._start()

    def extract(self, text: str, language: str | None = None) -> Extraction:
        """Extract ``text`` in the child; ExtractionTimedOut after ``time_limit`` seconds."""
        with self._lock:
            if self._closed:
                raise ExtractionStopped("the extraction process was stopped")
            conn = self._start()
            started = time.monotonic()
            try:
                conn.send((text, language))
                ready = conn.poll(self.time_limit)
            except (EOFError, OSError):
                self._discard()
                raise self._gone() from None
            if not ready:
                log.warning("extraction stopped after %.0f s (limit %s s)",
                            time.monotonic() - started, self.time_limit)
                self._discard()  # the next article gets a fresh child
                raise ExtractionTimedOut(self.time_limit)
            try:
                status, value = conn.recv()
            except (EOFError, OSError):
                self._discard()
                raise self._gone() from None
        if status == "error":
            raise RuntimeError(value)
        result: Extraction = value
        return result

    def close(self) -> None:
        """Stop the child now, also in the middle of an article (that one raises
        ExtractionStopped and goes back to the queue)."""
        self._closed = True
        proc = self._proc
        if proc is not None and proc.is_alive():
            proc.kill()  # wakes the thread waiting in extract(); it cleans up under the lock
        if self._lock.acquire(timeout=10):
            try:
                self._discard()
            finally:
                self._lock.release()
