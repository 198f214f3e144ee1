"""Where articles come from: uploaded files (text, Markdown, HTML, zip batches) and URLs.

Everything ends as a validated ``ArticleIn``; the fields a person typed (title, source, url,
published_at) win over what the file or page says about itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from app.ingest.readers import (
    ALLOWED_SUFFIXES,
    ArticleIn,
    IngestError,
    build_article,
    decode_bytes,
    markdown_to_text,
)

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Fields:
    """Metadata typed by a person (form, API, CLI); empty means "take it from the source"."""

    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: str | None = None


def _pick(typed: str | None, found: str | None) -> str | None:
    return typed if typed and typed.strip() else found


def from_html(html: str, fields: Fields, max_bytes: int, page_url: str | None = None,
              file_title: str | None = None) -> ArticleIn:
    """An article from an HTML page: main text and metadata via trafilatura."""
    from app.ingest.html import extract_html  # trafilatura is heavy: load it when needed

    page = extract_html(html, url=page_url)
    return build_article(
        text=page.text,
        title=_pick(fields.title, page.title),
        source=fields.source,
        url=_pick(fields.url, page.canonical_url or page_url),
        published_at=_pick(fields.published_at, page.published_at),
        max_bytes=max_bytes,
        file_title=file_title,
    )


def from_file(name: str, data: bytes, fields: Fields, max_bytes: int) -> ArticleIn:
    """An article from an uploaded or local file (.txt, .md, .html)."""
    base = PurePath(name.replace("\\", "/")).name
    suffix = PurePath(base).suffix.lower()
    kind = ALLOWED_SUFFIXES.get(suffix)
    if kind is None:
        raise IngestError(
            f"Unsupported file type {suffix or '(none)'!r}: upload .txt, .md, .html or a .zip "
            "of them.", "file")
    if len(data) > max_bytes:
        raise IngestError(
            f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.", "file")
    if not data.strip():
        raise IngestError("The file is empty.", "file")
    text = decode_bytes(data)
    stem = PurePath(base).stem or None
    if kind == "html":
        return from_html(text, fields, max_bytes, file_title=stem)
    title = None
    if kind == "markdown":
        text, title = markdown_to_text(text)
    return build_article(
        text=text, title=_pick(fields.title, title), source=fields.source, url=fields.url,
        published_at=fields.published_at, max_bytes=max_bytes, file_title=stem,
    )


def expand_files(files: list[tuple[str, bytes]], *, max_files: int, max_bytes: int
                 ) -> list[tuple[str, bytes]]:
    """The article files of an upload: zips are opened (safely), other files kept."""
    from app.ingest.archive import read_zip

    out: list[tuple[str, bytes]] = []
    for name, data in files:
        if name.lower().endswith(".zip") or data[:4] == ZIP_MAGIC:
            out.extend(read_zip(data, max_files=max_files, max_file_bytes=max_bytes))
        else:
            out.append((name, data))
        if len(out) > max_files:
            raise IngestError("At most %(max)s files in one upload.", "file",
                              params={"max": max_files})
    return out


def from_url(url: str, fields: Fields, *, max_bytes: int, allowed_hosts: frozenset[str],
             timeout: float) -> ArticleIn:
    """An article fetched from a URL (safely: see app.ingest.fetch), then read as HTML."""
    from app.ingest.fetch import fetch_url

    page = fetch_url(url.strip(), allowed_hosts=allowed_hosts, timeout=timeout,
                     max_bytes=max_bytes)
    body = decode_bytes(page.body)
    if "html" in page.content_type.lower():
        return from_html(body, Fields(fields.title, fields.source, None, fields.published_at),
                         max_bytes, page_url=page.url)
    return build_article(text=body, title=fields.title, source=fields.source, url=page.url,
                         published_at=fields.published_at, max_bytes=max_bytes)
