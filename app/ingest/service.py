"""ingest(): read -> extract -> write -> commit. The single transaction boundary for writes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.extraction.records import Extraction
from app.ingest.readers import ALLOWED_SUFFIXES, ArticleIn, IngestError
from app.ingest.sources import Fields, expand_files, from_file
from app.storage.corrections import reapply
from app.storage.models import Article, utcnow
from app.storage.queries import count_quotes, find_article_by_hash
from app.storage.writes import save_extraction


class ExtractorLike(Protocol):
    """Anything that turns text into an Extraction (the real Extractor, or a test double)."""

    def extract(self, text: str, language: str | None = None) -> Extraction: ...


# spaCy pipelines are not documented as thread-safe; web requests run in a thread pool.
_EXTRACT_LOCK = threading.Lock()


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
        text=item.text,
        status="queued",
        lease_until=utcnow() + queued_grace,
    )
    try:
        session.add(article)
        session.flush()
        article_id = article.id
        session.commit()  # releases the connection; reading article.id now would take it back
    except IntegrityError:
        # Another writer stored the same text between our check and our commit.
        session.rollback()
        raced = find_article_by_hash(session, item.content_hash)
        if raced is None:
            raise
        assert raced.id is not None
        return IngestResult(raced.id, False, _count(session, raced), raced.status)
    except BaseException:
        session.rollback()
        raise
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
    if article.status == "done" and not refresh:
        return IngestResult(article_id, False, _count(session, article), article.status)
    article.status = "processing"
    article.attempts += 1
    article.lease_until = utcnow() + lease
    text = article.text
    session.add(article)
    session.commit()  # also returns the connection: none is held while extracting
    try:
        extraction = _extract(extractor, text)
        article.language = extraction.language
        quotes = save_extraction(session, article, extraction)
        reapply(session, article)  # people's corrections win over the machine
        article.status = "done"
        article.error = None
        article.lease_until = None
        article.processed_at = utcnow()
        session.add(article)
        session.commit()
    except Exception as exc:
        session.rollback()
        failed = session.get(Article, article_id)
        assert failed is not None
        error = f"{type(exc).__name__}: {exc}"[:2000]
        failed.error = error
        failed.lease_until = utcnow() if failed.attempts < max_attempts else None
        failed.status = "queued" if failed.attempts < max_attempts else "failed"
        session.add(failed)
        session.commit()
        if failed.status == "queued":
            raise ExtractionFailed(error) from exc
        return IngestResult(article_id, False, 0, "failed", error)
    return IngestResult(article_id, False, len(quotes), "done")


def ingest(
    session: Session, extractor: ExtractorLike, item: ArticleIn, *, refresh: bool = False
) -> IngestResult:
    """Store and extract ``item`` right here (no queue): the CLI default and the tests.

    With ``refresh``, an article already stored is extracted again.
    """
    submitted = submit(session, item)
    if submitted.created or refresh or submitted.status != "done":
        done = process_article(session, extractor, submitted.article_id, refresh=refresh,
                               max_attempts=1)
        return IngestResult(submitted.article_id, submitted.created, done.quotes, done.status,
                            done.error)
    return submitted


def _count(session: Session, article: Article) -> int:
    assert article.id is not None
    return count_quotes(session, article.id)


def iter_article_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: the given files, and the supported files inside given folders."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and (p.suffix.lower() in ALLOWED_SUFFIXES or p.suffix == ".zip")
            )
        else:
            yield path


@dataclass
class BatchSummary:
    """Counts of a batch ingest, with the error of each failed file."""

    new: int = 0
    duplicate: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    quotes: int = 0


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


def read_path(path: Path, max_bytes: int) -> list[tuple[str, ArticleIn | IngestError]]:
    """The article(s) in one file on disk: a .zip gives one per file inside it."""
    try:
        data = path.read_bytes()
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
    return [(str(path), from_file(path.name, data, fields, max_bytes))]


def read_sidecar(path: Path) -> dict[str, str]:
    """Metadata for ``article.txt`` from ``article.meta.json`` beside it, when present."""
    sidecar = path.with_name(path.stem + ".meta.json")
    if not sidecar.is_file():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"Cannot read {sidecar.name}: {exc}") from None
    if not isinstance(data, dict):
        raise IngestError(f"{sidecar.name} must hold a JSON object.")
    fields = ("title", "source", "url", "published_at")
    return {k: str(v) for k, v in data.items() if k in fields and v is not None}


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
) -> BatchSummary:
    """Ingest files one transaction each; a failing file is reported and the rest still land.

    With ``enqueue``, articles are stored as queued and extraction goes to the workers.
    """
    summary = BatchSummary()
    units: list[Path | str] = [*files, *(urls or [])]
    for unit in units:
        try:
            if isinstance(unit, Path):
                items = read_path(unit, max_bytes)
            elif fetch is not None:
                items = [(unit, fetch(unit))]
            else:
                raise IngestError("URLs need a fetcher.")
        except IngestError as exc:
            items = [(str(unit), exc)]
        for label, item in items:
            result: IngestResult | None = None
            error: str | None = item.message if isinstance(item, IngestError) else None
            if not isinstance(item, IngestError):
                with session_factory() as session:
                    try:
                        result = ingest_item(session, extractor, item, refresh, enqueue)
                    except IngestError as exc:
                        error = exc.message
                    except Exception as exc:  # one broken file must not stop the batch
                        error = f"{type(exc).__name__}: {exc}"
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
            if on_done is not None:
                on_done(Path(label), result, error)
    return summary
