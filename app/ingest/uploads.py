"""One way in for what a person sends: pasted text, files (or a .zip of them), or only a URL.

The upload form and the JSON API both hand their input to :class:`Uploads` as an
:class:`Upload`; opening zips, reading the files, fetching the page and storing each article
(queued for extraction) happen here. The web keeps what is its own: parsing its form or JSON,
its refusals (CSRF, rate limits, the size of a request) and showing the outcome.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import Protocol, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings, allowed_hosts
from app.ingest.queue import JobQueue
from app.ingest.readers import ArticleIn, IngestError, build_article
from app.ingest.service import IngestResult
from app.ingest.sources import Fields, expand_files, from_file, from_url

T = TypeVar("T")


class Runner(Protocol):
    """Runs a blocking call elsewhere (a worker thread, a fetch thread) and awaits it."""

    def __call__(self, fn: Callable[[], T], /) -> Awaitable[T]: ...


@dataclass(frozen=True)
class Upload:
    """What a person sent: pasted ``text`` or ``files`` (name, bytes; a .zip is opened), or
    neither and only a ``url`` to fetch; title, source, url and date as they typed them."""

    text: str = ""
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    files: Sequence[tuple[str, bytes]] = ()

    @property
    def only_url(self) -> bool:
        """No text and no file, only a URL: the article is the page it points to."""
        return not self.files and not self.text.strip() and bool((self.url or "").strip())

    @property
    def fields(self) -> Fields:
        """What the person typed, which wins over what a file or a page says of itself."""
        return Fields(self.title, self.source, self.url, self.published_at)


@dataclass(frozen=True)
class FileOutcome:
    """One file of an upload of several: its name and what became of it."""

    name: str
    result: IngestResult | None
    error: IngestError | None


class Uploads:
    """The ingest service for uploads: reads an :class:`Upload` into articles and stores each
    one (queued for extraction) through ``queue``, in one transaction each.

    Blocking work runs through ``in_thread``; a URL is fetched through ``on_fetch_thread``
    (the caller's fetch threads, which may refuse when too many fetches wait).
    """

    def __init__(self, settings: Settings, engine: Engine, queue: JobQueue, *,
                 in_thread: Runner, on_fetch_thread: Runner) -> None:
        self.max_bytes = settings.max_upload_bytes
        self.max_files = settings.max_batch_files
        self.allowed_hosts = allowed_hosts(settings)
        self.fetch_timeout = settings.fetch_timeout
        self.engine, self.queue = engine, queue
        self.in_thread, self.on_fetch_thread = in_thread, on_fetch_thread

    async def ingest(self, upload: Upload) -> IngestResult | list[FileOutcome]:
        """Store what was sent: one article's result, or one outcome per file when several
        files (or a zip) were sent. ``IngestError`` when nothing can be stored."""
        for name, data in upload.files:
            if len(data) > self.max_bytes:
                raise IngestError(f"{_base(name)} is larger than the limit of "
                                  f"{self.max_bytes:,} bytes.", "file")
        if upload.only_url:
            # Fetched on the fetch threads, never on a thread that serves requests.
            item = await self.on_fetch_thread(partial(self.fetch, upload))
            return await self.in_thread(partial(self.submit, item))
        return await self.in_thread(partial(self.read_and_submit, upload))

    def fetch(self, upload: Upload) -> ArticleIn:
        """The article at ``upload.url`` (fetched safely, see app.ingest.fetch)."""
        return from_url(upload.url or "", upload.fields, max_bytes=self.max_bytes,
                        allowed_hosts=self.allowed_hosts, timeout=self.fetch_timeout)

    def read_and_submit(self, upload: Upload) -> IngestResult | list[FileOutcome]:
        """Read the files (zips opened) or the pasted text and store the article(s)."""
        fields = upload.fields
        if not upload.files:
            return self.submit(build_article(
                text=upload.text, title=upload.title, source=upload.source, url=upload.url,
                published_at=upload.published_at, max_bytes=self.max_bytes))
        entries = expand_files(list(upload.files), max_files=self.max_files,
                               max_bytes=self.max_bytes)
        if not entries:
            raise IngestError("The upload holds no .txt, .md or .html file.", "file")
        if len(entries) == 1 and not upload.files[0][0].lower().endswith(".zip"):
            return self.submit(from_file(entries[0][0], entries[0][1], fields, self.max_bytes))
        outcomes: list[FileOutcome] = []
        for name, data in entries:
            try:
                # Per-file metadata comes from each file; typed fields apply to all.
                outcomes.append(FileOutcome(_base(name), self.submit(
                    from_file(name, data, fields, self.max_bytes)), None))
            except IngestError as exc:
                outcomes.append(FileOutcome(_base(name), None, exc))
        return outcomes

    def submit(self, item: ArticleIn) -> IngestResult:
        """Store one article and queue its extraction (the same text is stored once)."""
        with Session(self.engine) as session:
            return self.queue.submit(session, item)


def _base(name: str) -> str:
    """A file's name without the folders a browser or a zip put before it."""
    return PurePath(name.replace("\\", "/")).name
