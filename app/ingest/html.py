"""Main text and metadata of a news page's HTML, with navigation and boilerplate dropped.

trafilatura does the work. It is only ever given a string, never a URL to load: its
``bare_extraction``/``extract_metadata`` parse the string with lxml (``load_html`` in
trafilatura 2.x has no download path) and hand htmldate an already parsed tree (htmldate's
own ``load_html`` would download a string that starts with "http"), so nothing is fetched.
``url`` is metadata only (the fallback for the canonical URL). The tests hold this with the
socket layer switched off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

import trafilatura
from trafilatura.settings import Document

from app.ingest.readers import MAX_URL, IngestError, html_to_text

# htmldate's "extensive search" guesses dates from free text (a footer's "© 2025" becomes
# 2025-01-01): a wrong publication date is worse than none, so only metadata, markup and
# URL patterns count.
_DATE_PARAMS: dict[str, Any] = {"original_date": True, "extensive_search": False}
# trafilatura's MIN_EXTRACTED_SIZE. Below it, its rescue stages may return the page's text
# with blocks run together on one line, or navigation; the plain reader is used instead
# unless trafilatura's lines are real blocks of the page.
_MIN_MAIN_TEXT = 250
# Navigation is never article text, also not for the rescue stages.
_PRUNE = ["//nav", "//*[@role='navigation']"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# lxml refuses NULs and most C0 controls; they carry no text anyway.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class HtmlArticle:
    """The readable text of a page and what its markup says about it."""

    text: str
    title: str | None = None
    author: str | None = None
    published_at: str | None = None  # YYYY-MM-DD
    canonical_url: str | None = None


def extract_html(html: str, url: str | None = None) -> HtmlArticle:
    """Main text (paragraphs joined by ``\\n``) and title, author, date, canonical URL."""
    field = "url" if url else "file"
    cleaned = _CONTROLS.sub("", html)
    if not cleaned.strip():
        raise IngestError("The page is empty.", field)
    doc = _trafilatura(cleaned, url)
    text = (doc.text or "").strip() if doc is not None else ""
    if doc is None:
        doc = _metadata(cleaned, url)
    fallback_title: str | None = None
    if len(text) < _MIN_MAIN_TEXT:
        plain, fallback_title = html_to_text(cleaned)
        if not _lines_within(text, plain):
            text = plain
    if not text:
        raise IngestError("The page has no readable article text.", field)
    return HtmlArticle(
        text=text,
        title=_one_line(doc.title) or _one_line(fallback_title),
        author=_one_line(doc.author),
        published_at=_iso_date(doc.date),
        canonical_url=_http_url(doc.url) or _http_url(url),
    )


def _trafilatura(html: str, url: str | None) -> Document | None:
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,  # reader comments are not the article
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
            date_extraction_params=_DATE_PARAMS,
            prune_xpath=_PRUNE,
        )
    except Exception:  # lxml on pathological markup; the plain reader still applies
        return None
    return doc if isinstance(doc, Document) else None


def _metadata(html: str, url: str | None) -> Document:
    try:
        return trafilatura.extract_metadata(html, default_url=url, date_config=_DATE_PARAMS)
    except Exception:
        return Document()


def _lines_within(text: str, plain: str) -> bool:
    """Whether every line of ``text`` is a whole block (line) of the plain reader's text."""
    if not text:
        return False
    blocks = set(plain.split("\n"))
    return all(" ".join(line.split()) in blocks for line in text.split("\n") if line.strip())


def _one_line(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split()) or None


def _iso_date(value: str | None) -> str | None:
    if not value or not _ISO_DATE.match(value):
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return None
    return value


def _http_url(value: str | None) -> str | None:
    if not value or len(value) > MAX_URL:
        return None
    parsed = urlparse(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return None
    return value.strip()
