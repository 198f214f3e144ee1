"""The job queue (huey): extraction runs in workers, not in requests.

Backends, by the ``CITAT_QUEUE`` setting — the same task code on each:
``sqlite:///citat-queue.db`` (default, no server), ``redis://host:6379/0``,
``postgresql://user@host/db``, or ``immediate`` (tasks run at once, in the caller).

A job is never lost: the article row carries its state and a lease. A worker that dies in the
middle of a job leaves the article ``processing`` with an expired lease; every worker re-queues
such articles when it starts and once a minute (processing is idempotent). A failing article
is retried up to ``max_attempts`` times, then marked ``failed`` with its error.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.ingest.isolated import ExtractorProcess
from app.ingest.readers import ArticleIn
from app.ingest.service import (
    ExtractorLike,
    IngestResult,
    process_article,
    requeue,
    submit,
)
from app.storage.claims import lost_articles
from app.storage.models import Article, utcnow
from app.storage.queries import count_quotes

log = logging.getLogger("citat.queue")


def make_huey(settings: Settings) -> Huey:
    """The huey instance for the configured backend."""
    url = settings.queue
    if url == "immediate":
        return MemoryHuey("citat", immediate=True)
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return SqliteHuey("citat", filename=url.split("sqlite:///", 1)[-1] or "citat-queue.db")
    if parsed.scheme in ("redis", "rediss"):
        return RedisHuey("citat", url=url)
    if parsed.scheme.startswith("postgres"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        # Creating the storage creates its tables; two processes starting together can race
        # on that (a unique violation in pg_type). The loser finds the tables made: try again.
        for attempt in range(3):
            try:
                return PostgresHuey("citat", dsn=dsn)
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
    raise ValueError(f"CITAT_QUEUE: unsupported queue URL {url!r}")


@dataclass
class WorkerContext:
    """What a task needs in the process that runs it."""

    engine: Engine
    extractor: ExtractorLike
    settings: Settings


class JobQueue:
    """Enqueue articles for extraction; run workers; recover stuck jobs."""

    def __init__(self, settings: Settings, context: WorkerContext | None = None) -> None:
        self.settings = settings
        self.huey = make_huey(settings)
        self._context = context
        self._lock = threading.Lock()
        self.process_task = self.huey.task(
            name="citat.process_article", retries=settings.max_attempts - 1,
            # Immediate mode runs retries at once; a delayed retry would never run there.
            retry_delay=0 if self.huey.immediate else 2,
        )(self._process)
        self.recover_task = self.huey.periodic_task(crontab(minute="*"), name="citat.recover")(
            self.recover
        )

    @property
    def immediate(self) -> bool:
        """Whether tasks run at once in the caller."""
        return bool(self.huey.immediate)

    def bind(self, context: WorkerContext) -> None:
        """Give this process's workers their engine and extractor."""
        self._context = context

    def context(self) -> WorkerContext:
        """The worker context, built on first use in a worker process: extraction runs in a
        child process with the per-article time limit (see ``app.ingest.isolated``)."""
        with self._lock:
            if self._context is None:
                from app.storage.db import make_engine

                self._context = WorkerContext(
                    make_engine(self.settings.database_url), isolated_extractor(self.settings),
                    self.settings)
            return self._context

    def enqueue(self, article_id: int) -> None:
        """Queue one article for extraction (in immediate mode: extract it now, retries too)."""
        self.process_task(article_id)

    def submit(self, session: Session, item: ArticleIn) -> IngestResult:
        """Store an article as queued and queue its extraction; the same text is stored once.

        A text stored before whose extraction failed is queued again.
        """
        result = submit(session, item,
                        queued_grace=timedelta(seconds=10 * self.settings.job_lease_seconds))
        # A re-post of an article still queued queues it again: its job may have been lost
        # (a crash between storing and queueing). Claiming makes a second job harmless.
        if result.created or result.status in ("failed", "queued"):
            if result.status == "failed":
                requeue(session, result.article_id)
            self.enqueue(result.article_id)
            if self.immediate:
                session.expire_all()
                article = session.get(Article, result.article_id)
                assert article is not None
                return IngestResult(result.article_id, result.created,
                                    count_quotes(session, result.article_id), article.status,
                                    article.error)
        return result

    def _process(self, article_id: int) -> None:
        ctx = self.context()
        with Session(ctx.engine) as session:
            process_article(
                session, ctx.extractor, article_id,
                lease=timedelta(seconds=self.settings.job_lease_seconds),
                max_attempts=self.settings.max_attempts,
            )

    def recover(self, *, starting: bool = False) -> int:
        """Re-queue articles whose job was lost (queued or processing past their lease).

        ``starting``: every queued article, whatever its lease (a worker that starts may be
        the first after a crash between storing an article and queueing it).
        """
        ctx = self.context()
        with Session(ctx.engine) as session:
            stuck = lost_articles(session, utcnow(), starting=starting)
        for article_id in stuck:
            self.enqueue(article_id)
        if stuck:
            log.info("re-queued %d article(s) whose job was lost", len(stuck))
        return len(stuck)

    def consumer(self, workers: int = 1, *, in_process: bool = False) -> Consumer:
        """A huey consumer; ``in_process`` leaves the host's signal handlers alone."""
        cls = _QuietConsumer if in_process else Consumer
        # In the web process, idle workers look for jobs at least every second, so that
        # stopping the server (which waits for them) takes a second, not huey's default 10.
        consumer: Consumer = cls(self.huey, workers=workers, worker_type="thread",
                                 periodic=True, check_worker_health=not in_process,
                                 max_delay=1.0 if in_process else 10.0)
        return consumer


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """A consumer that runs inside the web process: uvicorn owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


def isolated_extractor(settings: Settings) -> ExtractorProcess:
    """An extractor that runs each article in a child process within the time limit."""
    return ExtractorProcess(settings.extraction_time_limit, dict(settings.models))


def start_in_process(queue: JobQueue, workers: int = 1) -> Any:
    """Start worker threads in this process (``citat serve``'s zero-setup worker); they hand
    each article to the extraction child process, never to spaCy in this process."""
    queue.recover(starting=True)
    consumer = queue.consumer(workers, in_process=True)
    consumer.start()
    return consumer


def stop_in_process(queue: JobQueue, consumer: Any) -> None:
    """Stop the in-process worker at once: the extraction child first (an article in the
    middle of extraction goes back to the queue), then the worker threads."""
    close = getattr(queue.context().extractor, "close", None)
    if close is not None:
        close()
    consumer.stop(True)
