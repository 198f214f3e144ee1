"""ingest(): read -> extract -> write -> commit. The single transaction boundary for writes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.extraction.records import Extraction
from app.ingest.readers import ALLOWED_SUFFIXES, ArticleIn, IngestError, build_article, read_upload
from app.storage.models import Article
from app.storage.queries import count_quotes, find_article_by_hash
from app.storage.writes import save_extraction


class ExtractorLike(Protocol):
    """Anything that turns text into an Extraction (the real Extractor, or a test double)."""

    def extract(self, text: str, language: str | None = None) -> Extraction: ...


# spaCy pipelines are not documented as thread-safe; web requests run in a thread pool.
_EXTRACT_LOCK = threading.Lock()


@dataclass(frozen=True)
class IngestResult:
    """What ingest did: the article, whether it is new, how many quotes it has."""

    article_id: int
    created: bool
    quotes: int


def _extract(extractor: ExtractorLike, text: str) -> Extraction:
    with _EXTRACT_LOCK:
        return extractor.extract(text)


def ingest(
    session: Session, extractor: ExtractorLike, item: ArticleIn, *, refresh: bool = False
) -> IngestResult:
    """Store ``item`` with its quotes in one transaction; the same text is stored once.

    With ``refresh``, an article already stored is extracted again; quotes whose span is
    unchanged keep their permalink.
    """
    existing = find_article_by_hash(session, item.content_hash)
    if existing is not None and not refresh:
        assert existing.id is not None
        return IngestResult(existing.id, False, _count(session, existing))
    extraction = _extract(extractor, existing.text if existing is not None else item.text)
    try:
        if existing is not None:
            existing.language = extraction.language
            article = existing
        else:
            article = Article(
                content_hash=item.content_hash,
                title=item.title,
                source=item.source,
                url=item.url,
                published_at=item.published_at,
                language=extraction.language,
                text=item.text,
            )
        session.add(article)
        session.flush()
        quotes = save_extraction(session, article, extraction)
        session.commit()
    except IntegrityError:
        # Another writer stored the same text between our check and our commit.
        session.rollback()
        raced = find_article_by_hash(session, item.content_hash)
        if raced is None:
            raise
        assert raced.id is not None
        return IngestResult(raced.id, False, _count(session, raced))
    except BaseException:
        session.rollback()
        raise
    assert article.id is not None
    return IngestResult(article.id, existing is None, len(quotes))


def _count(session: Session, article: Article) -> int:
    assert article.id is not None
    return count_quotes(session, article.id)


def iter_article_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: the given files, and the supported files inside given folders."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES
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


def ingest_file(
    session: Session, extractor: ExtractorLike, path: Path, max_bytes: int, refresh: bool = False
) -> IngestResult:
    """Read one file from disk and ingest it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"Cannot read {path}: {exc.strerror or exc}") from None
    text, title = read_upload(path.name, data, max_bytes)
    meta = read_sidecar(path)
    item = build_article(
        text=text,
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        published_at=meta.get("published_at"),
        max_bytes=max_bytes,
        file_title=title or path.stem,
    )
    return ingest(session, extractor, item, refresh=refresh)


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
) -> BatchSummary:
    """Ingest files one transaction each; a failing file is reported and the rest still land."""
    summary = BatchSummary()
    for path in files:
        result: IngestResult | None = None
        error: str | None = None
        with session_factory() as session:
            try:
                result = ingest_file(session, extractor, path, max_bytes, refresh)
            except IngestError as exc:
                error = exc.message
            except Exception as exc:  # one broken file must not stop the batch
                error = f"{type(exc).__name__}: {exc}"
        if result is None:
            summary.failed[str(path)] = error or "unknown error"
        elif result.created:
            summary.new += 1
            summary.quotes += result.quotes
        else:
            summary.duplicate += 1
        if on_done is not None:
            on_done(path, result, error)
    return summary
