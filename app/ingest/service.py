"""The ingest service: read -> extract -> save, each write in one `transaction()`."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.extraction.parallel import extract_each
from app.extraction.records import Extraction
from app.ingest.archive import MAX_ZIP_TOTAL_BYTES
from app.ingest.isolated import ExtractionStopped, ExtractionTimedOut
from app.ingest.readers import ALLOWED_SUFFIXES, ArticleIn, IngestError, with_credit
from app.ingest.sources import Fields, expand_files, from_file
from app.services.transaction import transaction
from app.storage.claims import claim, update_if_held
from app.storage.corrections import any_to_reapply, reapply
from app.storage.models import Article, utcnow
from app.storage.queries import count_quotes, find_article_by_hash, stored_hashes
from app.storage.writes import quote_public_id, save_extraction, save_new
from app.verify.service import link_translations

log = logging.getLogger(__name__)


class ExtractorLike(Protocol):
    """Anything that turns text into an Extraction (the real Extractor, or a test double)."""

    def extract(self, text: str, language: str | None = None) -> Extraction: ...


# spaCy pipelines are not documented as thread-safe; web requests run in a thread pool.
_EXTRACT_LOCK = threading.Lock()
#: A bulk ingest writes up to this many extracted new articles in one transaction.
STORE_TOGETHER = 32


@dataclass(frozen=True)
class IngestResult:
    """What ingest did: the article, whether it is new, its quotes and its state."""

    article_id: int
    created: bool
    quotes: int
    status: str = "done"
    error: str | None = None


def _extract(extractor: ExtractorLike, text: str) -> Extraction:
    with _EXTRACT_LOCK:
        return extractor.extract(text)


class ExtractionFailed(RuntimeError):
    """Extraction of an article failed; it will be retried (or is marked failed)."""


def _stored_by_another(session: Session, item: ArticleIn) -> IngestResult:
    """After a unique-hash violation (rolled back): the article the other writer stored
    (else re-raise)."""
    raced = find_article_by_hash(session, item.content_hash)
    if raced is None:
        raise  # the IntegrityError being handled: not that race after all
    assert raced.id is not None
    return IngestResult(raced.id, False, _count(session, raced), raced.status)


def submit(
    session: Session, item: ArticleIn, *, queued_grace: timedelta = timedelta(minutes=10)
) -> IngestResult:
    """Store ``item`` as a queued article in one transaction; the same text is stored once."""
    existing = find_article_by_hash(session, item.content_hash)
    if existing is not None:
        assert existing.id is not None
        return IngestResult(existing.id, False, _count(session, existing), existing.status)
    article = Article(
        content_hash=item.content_hash,
        title=item.title,
        source=item.source,
        url=item.url,
        published_at=item.published_at,
        licence=item.licence,
        attribution=item.attribution,
        text=item.text,
        status="queued",
        lease_until=utcnow() + queued_grace,
    )
    try:
        # Committing releases the connection; reading article.id after it would take it back.
        with transaction(session):
            session.add(article)
            session.flush()
            article_id = article.id
    except IntegrityError:
        # Another writer stored the same text between our check and our commit.
        return _stored_by_another(session, item)
    assert article_id is not None
    return IngestResult(article_id, True, 0, "queued")


def process_article(
    session: Session,
    extractor: ExtractorLike,
    article_id: int,
    *,
    lease: timedelta = timedelta(minutes=2),
    max_attempts: int = 3,
    refresh: bool = False,
) -> IngestResult:
    """Extract one stored article and save its quotes (idempotent).

    Quotes whose span is unchanged keep their row and permalink. A failure is counted; after
    ``max_attempts`` the article is marked failed with its error, otherwise it is queued again
    and ``ExtractionFailed`` tells the queue to retry.
    """
    article = session.get(Article, article_id)
    if article is None:
        raise IngestError(f"No article {article_id}.")
    # Claim the article in one statement: two workers given the same article (a job queued
    # twice, a lease that ran out) never both process it; the one that finds it taken stops.
    with transaction(session):  # also returns the connection: none is held while extracting
        claimed = claim(session, article_id, now=utcnow(), lease=lease, refresh=refresh)
    session.refresh(article)
    if not claimed:
        return IngestResult(article_id, False, _count(session, article), article.status,
                            article.error)
    with transaction(session):  # ends the read: no connection is held while extracting
        token, text = article.attempts, article.text

    try:
        extraction = _extract(extractor, text)
        with transaction(session):
            # Take the row for this transaction if the claim still holds.
            if not update_if_held(session, article_id, token, language=extraction.language):
                raise _TakenOver
            session.refresh(article)
            quotes = save_extraction(session, article, extraction)
            reapply(session, article, quotes)  # people's corrections win over the machine
            link_translations(session, [article_id])
            article.status = "done"
            article.error = None
            article.lease_until = None
            article.processed_at = utcnow()
            session.add(article)
    except _TakenOver:
        log.warning("article %s was taken over by another worker", article_id)
        session.refresh(article)
        return IngestResult(article_id, False, _count(session, article), article.status)
    except ExtractionStopped:
        # The server is stopping: the article goes back to the queue, this try not counted.
        with transaction(session):
            update_if_held(session, article_id, token, status="queued", attempts=token - 1,
                           lease_until=utcnow())
        raise
    except Exception as exc:
        timed_out = isinstance(exc, ExtractionTimedOut)
        error = str(exc) if timed_out else f"{type(exc).__name__}: {exc}"[:2000]
        # A text that ran out of time would run out of time again: no retry.
        again = token < max_attempts and not timed_out
        with transaction(session):
            if not update_if_held(session, article_id, token, error=error,
                                  lease_until=utcnow() if again else None,
                                  status="queued" if again else "failed"):
                raise
        if again:
            raise ExtractionFailed(error) from exc
        return IngestResult(article_id, False, 0, "failed", error)
    return IngestResult(article_id, False, len(quotes), "done")


class _TakenOver(Exception):
    """Another worker took the article over after this one's lease ran out."""


def requeue(session: Session, article_id: int) -> None:
    """Put a failed article back in the queue with its attempts reset."""
    article = session.get(Article, article_id)
    if article is not None:
        article.status, article.attempts, article.error = "queued", 0, None
        with transaction(session):
            session.add(article)


def ingest(
    session: Session, extractor: ExtractorLike, item: ArticleIn, *, refresh: bool = False
) -> IngestResult:
    """Store and extract ``item`` right here (no queue): the CLI default and the tests.

    With ``refresh``, an article already stored is extracted again.
    """
    submitted = submit(session, item)
    if submitted.status == "failed" and not refresh:
        requeue(session, submitted.article_id)
    if submitted.created or refresh or submitted.status != "done":
        done = process_article(session, extractor, submitted.article_id, refresh=refresh,
                               max_attempts=1)
        return IngestResult(submitted.article_id, submitted.created, done.quotes, done.status,
                            done.error)
    return submitted


def _count(session: Session, article: Article) -> int:
    assert article.id is not None
    return count_quotes(session, article.id)


def iter_article_files(paths: Iterable[Path], skipped: dict[str, str] | None = None
                       ) -> Iterator[Path]:
    """Files to ingest: the given files, and the supported files inside given folders.

    Inside a folder, a symbolic link whose target is outside that folder (or nowhere: a
    loop, a missing file) is not followed, what is not a regular file (a FIFO, a device, a
    socket) is not read, and a folder that cannot be read is not entered: each is put in
    ``skipped`` with the reason. Links to folders are never followed.
    """
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        root = path.resolve()
        found, unreadable = _walk(path)
        if skipped is not None:
            skipped.update(unreadable)
        for p in found:
            if not (p.suffix.lower() in ALLOWED_SUFFIXES or p.suffix == ".zip"):
                continue
            reason = _link_refusal(p, root, path) if p.is_symlink() else None
            if reason is None and p.is_dir():
                continue
            if reason is None and not _regular(p):
                reason = "not a regular file (a FIFO, device or socket): not read"
            if reason is None:
                yield p
            elif skipped is not None:
                skipped[str(p)] = reason


def _walk(folder: Path) -> tuple[list[Path], dict[str, str]]:
    """Everything inside ``folder`` (links to folders are not entered), sorted; and the
    folders that could not be read, with the reason."""
    found: list[Path] = []
    unreadable: dict[str, str] = {}

    def refused(error: OSError) -> None:
        unreadable[str(error.filename or folder)] = (
            f"cannot read the folder ({error.strerror}): not read")

    for inside, dirs, files in os.walk(folder, onerror=refused):
        found += [Path(inside, name) for name in (*dirs, *files)]
    return sorted(found), unreadable


def _link_refusal(link: Path, root: Path, given: Path) -> str | None:
    """Why a link inside the folder ``given`` (resolved: ``root``) is not followed, if it is
    not: it leads out of the folder, or nowhere."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # a missing target; a loop (RuntimeError on 3.11)
        return "a link that leads nowhere (a missing file, or a loop of links): not followed"
    if not target.is_relative_to(root):
        return f"a link to {target}, outside {given}: not followed"
    return None


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


@dataclass
class BatchSummary:
    """Counts of a batch ingest, with the error of each failed file."""

    new: int = 0
    duplicate: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    quotes: int = 0
    #: Quotes of the stored articles extracted again (``refresh``).
    refreshed_quotes: int = 0


def ingest_item(
    session: Session,
    extractor: ExtractorLike,
    item: ArticleIn,
    refresh: bool = False,
    enqueue: Callable[[int], None] | None = None,
) -> IngestResult:
    """Ingest one article inline, or store it and queue it with ``enqueue``."""
    if enqueue is None:
        return ingest(session, extractor, item, refresh=refresh)
    result = submit(session, item)
    if result.created or result.status in ("queued", "failed") or refresh:
        enqueue(result.article_id)
    return result


#: The largest .zip read from disk: what read_zip lets its files hold in all, and room for
#: the headers of 10,000 entries.
ZIP_FILE_BYTES = MAX_ZIP_TOTAL_BYTES + 16 * 1024 * 1024


def read_path(path: Path, max_bytes: int) -> list[tuple[str, ArticleIn | IngestError]]:
    """The article(s) in one file on disk: a .zip gives one per file inside it.

    Only a regular file is read: opening a FIFO or a device would wait or never end. A file
    over the size limit (for a .zip: what its contents may hold) is refused before it is read.
    """
    limit = max_bytes if path.suffix.lower() != ".zip" else ZIP_FILE_BYTES
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise IngestError(f"{path} is not a regular file (a FIFO, device or folder): "
                                  "not read.")
            if info.st_size > limit:
                raise IngestError(
                    f"The file is {info.st_size:,} bytes; the limit is {limit:,} bytes.", "file")
            data = fh.read(limit + 1)  # the file may have grown since
    except OSError as exc:
        raise IngestError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".zip":
        entries = expand_files([(path.name, data)], max_files=10_000, max_bytes=max_bytes)
        out: list[tuple[str, ArticleIn | IngestError]] = []
        for name, blob in entries:
            try:
                out.append((f"{path}:{name}", from_file(name, blob, Fields(), max_bytes)))
            except IngestError as exc:
                out.append((f"{path}:{name}", exc))
        return out
    meta = read_sidecar(path)
    fields = Fields(meta.get("title"), meta.get("source"), meta.get("url"),
                    meta.get("published_at"))
    item = from_file(path.name, data, fields, max_bytes)
    if "licence" in meta or "attribution" in meta:
        item = with_credit(item, meta.get("licence"), meta.get("attribution"))
    return [(str(path), item)]


def read_sidecar(path: Path) -> dict[str, str]:
    """Metadata for ``article.txt`` from ``article.meta.json`` beside it, when present: title,
    source, url, published_at, and the licence and attribution of openly licensed text.

    A sidecar that is a link leading out of the article's folder is refused (it could show a
    system file's contents as an article's title); one that is not a regular file is ignored.
    """
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.is_file():
        return {}
    if sidecar.is_symlink() and not sidecar.resolve().is_relative_to(path.parent.resolve()):
        raise IngestError(f"{sidecar.name} is a link to {sidecar.resolve()}, outside "
                          f"{path.parent}: not read.")
    try:
        fd = os.open(sidecar, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return {}
            data = json.loads(fh.read(1_000_001).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"Cannot read {sidecar.name}: {exc}") from None
    if not isinstance(data, dict):
        raise IngestError(f"{sidecar.name} must hold a JSON object.")
    fields = ("title", "source", "url", "published_at", "licence", "attribution")
    return {k: str(v) for k, v in data.items() if k in fields and v is not None}


def _new_article(item: ArticleIn, extraction: Extraction | str) -> Article:
    """The row of a new article extracted just now (a string: its extraction's error)."""
    article = Article(
        content_hash=item.content_hash, title=item.title, source=item.source, url=item.url,
        published_at=item.published_at, licence=item.licence, attribution=item.attribution,
        text=item.text, attempts=1,
    )
    if isinstance(extraction, str):
        article.status, article.error = "failed", extraction
    else:
        article.status, article.language = "done", extraction.language
        article.processed_at = utcnow()
    return article


def _store_extracted(session: Session, item: ArticleIn, extraction: Extraction | str
                     ) -> IngestResult:
    """Store a new article with its machine output in one transaction (a string: its error).

    An article whose extraction failed is stored as failed with the error, as ``ingest`` does,
    so that ``citat status`` shows it and the next ingest of the same text tries again.
    """
    article = _new_article(item, extraction)
    quotes = 0
    try:
        with transaction(session):
            session.add(article)
            session.flush()
            if not isinstance(extraction, str):
                saved = save_extraction(session, article, extraction, new=True)
                reapply(session, article, saved)  # corrections made before (same ids) win
                quotes = len(saved)
                assert article.id is not None
                link_translations(session, [article.id])
            article_id = article.id
    except IntegrityError:
        # Another writer stored the same text between our check and our commit.
        return _stored_by_another(session, item)
    assert article_id is not None
    if isinstance(extraction, str):
        return IngestResult(article_id, True, 0, "failed", extraction)
    return IngestResult(article_id, True, quotes, "done")


def _store_extracted_many(session: Session,
                          entries: Sequence[tuple[ArticleIn, Extraction | str]]
                          ) -> list[IngestResult] | None:
    """Store new articles with their machine output in one transaction, with the rows that
    storing each in turn would give (see ``save_new``), in a handful of statements instead
    of a dozen per article. None, with nothing stored, when that cannot be done: a
    correction applies to one of the quotes, another writer stored one of the texts, or
    anything else failed; then the caller stores each article alone, as before.
    """
    public_ids = [quote_public_id(item.content_hash, q.start, q.end)
                  for item, extraction in entries if not isinstance(extraction, str)
                  for q in extraction.quotes]
    try:
        with transaction(session):
            if any_to_reapply(session, public_ids):
                raise _OneByOne
            articles = [_new_article(item, extraction) for item, extraction in entries]
            session.add_all(articles)
            session.flush()  # every article, in one INSERT
            extracted = [(a, x) for a, (_, x) in zip(articles, entries, strict=True)
                         if not isinstance(x, str)]
            saved = iter(save_new(session, extracted))
            link_translations(session, [a.id for a, _ in extracted if a.id is not None])
            results = []
            for article, (_, extraction) in zip(articles, entries, strict=True):
                assert article.id is not None
                if isinstance(extraction, str):
                    results.append(IngestResult(article.id, True, 0, "failed", extraction))
                else:
                    results.append(IngestResult(article.id, True, len(next(saved)), "done"))
    except _OneByOne:
        return None
    except Exception as exc:  # the caller stores each alone, which reports what failed
        log.info("storing %d new articles together failed (%s: %s); storing each alone",
                 len(entries), type(exc).__name__, exc)
        return None
    return results


class _OneByOne(Exception):
    """A correction applies to one of the quotes: the articles are stored one by one."""


def _extract_here(extractor: ExtractorLike, texts: list[str]) -> list[Extraction | str]:
    """Extract ``texts`` in this process, batched; a text that raises gives its error."""
    with _EXTRACT_LOCK:
        return extract_each(extractor, texts)


@dataclass
class _Window:
    """Up to ``window`` read articles on their way through extraction to the database."""

    items: list[tuple[str, ArticleIn]]
    #: index into items -> index into the extracted texts (first copy of a text only)
    extract_at: dict[int, int]
    #: waits for (or just returns) one Extraction or error text per extracted text
    results: Callable[[], list[Extraction | str]] = list


def ingest_files(
    session_factory: Callable[[], Session],
    extractor: ExtractorLike,
    files: list[Path],
    max_bytes: int,
    *,
    refresh: bool = False,
    on_done: Callable[[Path, IngestResult | None, str | None], None] | None = None,
    enqueue: Callable[[int], None] | None = None,
    urls: list[str] | None = None,
    fetch: Callable[[str], ArticleIn] | None = None,
    jobs: int = 1,
    window: int = 128,
    pool: Any = None,
) -> BatchSummary:
    """Ingest files; a failing file is reported and the rest still land.

    With ``enqueue``, articles are stored as queued and extraction goes to the workers.
    Otherwise new articles are extracted in batches of ``window`` (spaCy is faster on a batch),
    on ``jobs`` worker processes when ``jobs`` > 1 (or on ``pool``, an ``ExtractorPool`` the
    caller started and closes), while the previous batch is written: up to
    ``STORE_TOGETHER`` new articles in one transaction, else one transaction each.
    """
    units: list[Path | str] = [*files, *(urls or [])]
    batched = enqueue is None and not refresh and extractor is not None
    own_pool = pool is None and batched and jobs > 1 and len(units) > 1
    if own_pool:
        from app.extraction.parallel import ExtractorPool

        pool = ExtractorPool(extractor, jobs)
    run = BatchIngest(session_factory, extractor, max_bytes, refresh=refresh, on_done=on_done,
                      enqueue=enqueue, fetch=fetch, pool=pool if batched else None,
                      batched=batched)
    try:
        return run.ingest(units, window)
    finally:
        if own_pool:
            pool.close()


class BatchIngest:
    """One run of ``ingest_files``: reads each unit (a file, a zip, a URL), extracts the new
    texts a window at a time and writes them, counting what happened in ``summary``."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        extractor: ExtractorLike,
        max_bytes: int,
        *,
        refresh: bool = False,
        on_done: Callable[[Path, IngestResult | None, str | None], None] | None = None,
        enqueue: Callable[[int], None] | None = None,
        fetch: Callable[[str], ArticleIn] | None = None,
        pool: Any = None,
        batched: bool = True,
    ) -> None:
        self.session_factory, self.extractor, self.max_bytes = (session_factory, extractor,
                                                                max_bytes)
        self.refresh, self.on_done, self.enqueue, self.fetch = refresh, on_done, enqueue, fetch
        #: where windows are extracted (None: in this process); ``batched`` False: one by one
        self.pool, self.batched = pool, batched
        self.summary = BatchSummary()
        self.seen: set[str] = set()  # content hashes of new articles in this run

    def ingest(self, units: Sequence[Path | str], window: int) -> BatchSummary:
        """Ingest every unit; keep one window extracting while the one before it is written."""
        windows: list[_Window] = []
        current: list[tuple[str, ArticleIn]] = []
        for label, item in self.items(units):
            if isinstance(item, IngestError):
                self.report(label, None, item.message)
            elif not self.batched:
                self.one(label, item)
            else:
                current.append((label, item))
                if len(current) >= window:
                    windows.append(_Window(current, {}))
                    self.start(windows[-1])
                    current = []
                    while len(windows) > 1:
                        self.finish(windows.pop(0))
        if current:
            windows.append(_Window(current, {}))
            self.start(windows[-1])
        while windows:
            self.finish(windows.pop(0))
        return self.summary

    def items(self, units: Sequence[Path | str]
              ) -> Iterator[tuple[str, ArticleIn | IngestError]]:
        """Each article read from the units, or the error that stopped its reading."""
        for unit in units:
            try:
                if isinstance(unit, Path):
                    yield from read_path(unit, self.max_bytes)
                elif self.fetch is not None:
                    yield unit, self.fetch(unit)
                else:
                    raise IngestError("URLs need a fetcher.")
            except IngestError as exc:
                yield str(unit), exc

    def report(self, label: str, result: IngestResult | None, error: str | None) -> None:
        """Count one article's outcome and tell ``on_done``."""
        summary = self.summary
        if result is not None and result.status == "failed":
            error = result.error or "extraction failed"
            result = None
        if result is None:
            summary.failed[label] = error or "unknown error"
        elif result.created:
            summary.new += 1
            summary.quotes += result.quotes
        else:
            summary.duplicate += 1
            summary.refreshed_quotes += result.quotes
        if self.on_done is not None:
            self.on_done(Path(label), result, error)

    def one(self, label: str, item: ArticleIn) -> None:
        """Ingest one article the usual way (``ingest_item``), in its own session."""
        result: IngestResult | None = None
        error: str | None = None
        with self.session_factory() as session:
            try:
                result = ingest_item(session, self.extractor, item, self.refresh, self.enqueue)
            except IngestError as exc:
                error = exc.message
            except Exception as exc:  # one broken file must not stop the batch
                error = f"{type(exc).__name__}: {exc}"
        self.report(label, result, error)

    def start(self, win: _Window) -> None:
        """Skip stored texts, then start extracting the rest (in the pool, or right here)."""
        texts: list[str] = []
        keep: list[tuple[str, ArticleIn]] = []
        with self.session_factory() as session:
            stored = stored_hashes(session, (item.content_hash for _, item in win.items))
            for label, item in win.items:
                if item.content_hash in self.seen:
                    keep.append((label, item))  # a copy of a text in this run: written later
                    continue
                existing = stored.get(item.content_hash)
                if existing is not None and existing[1] == "done":
                    self.report(label, IngestResult(existing[0], False,
                                                    count_quotes(session, existing[0])), None)
                    continue
                if existing is None:
                    self.seen.add(item.content_hash)
                    win.extract_at[len(keep)] = len(texts)
                    texts.append(item.text)
                keep.append((label, item))
        win.items = keep
        if self.pool is not None:
            win.results = self.pool.extract_async(texts).get
        else:
            done = _extract_here(self.extractor, texts)
            win.results = lambda: done

    def finish(self, win: _Window) -> None:
        """Write a window's articles in order."""
        results = win.results()
        run: list[tuple[str, ArticleIn, Extraction | str]] = []
        for n, (label, item) in enumerate(win.items):
            at = win.extract_at.get(n)
            if at is None:  # stored before, or a copy of an earlier text: the usual path
                self.store(run)
                run = []
                self.one(label, item)
                continue
            run.append((label, item, results[at]))
            if len(run) >= STORE_TOGETHER:
                self.store(run)
                run = []
        self.store(run)

    def store(self, run: list[tuple[str, ArticleIn, Extraction | str]]) -> None:
        """Write extracted new articles: together in one transaction when they can be, else
        one transaction each (so one refused row does not stop the others)."""
        stored = None
        if len(run) > 1:
            try:
                with self.session_factory() as session:
                    stored = _store_extracted_many(session, [(item, x) for _, item, x in run])
            except Exception:  # e.g. no connection: each alone below reports it
                stored = None
        if stored is not None:
            for (label, _, _), result in zip(run, stored, strict=True):
                self.report(label, result, None)
            return
        for label, item, extraction in run:
            try:
                with self.session_factory() as session:
                    result = _store_extracted(session, item, extraction)
                self.report(label, result, None)
            except Exception as exc:  # e.g. the database refused a row: the rest still land
                self.report(label, None, f"{type(exc).__name__}: {exc}")
