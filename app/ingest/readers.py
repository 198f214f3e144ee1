"""Turn pasted text, uploaded bytes or JSON fields into a validated ``ArticleIn``.

Every refusal is an ``IngestError`` with a message meant for the person who sent the input.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import urlparse

from app.plaintext import INVISIBLE as _INVISIBLE
from app.plaintext import UNPRINTABLE as _UNPRINTABLE
from app.plaintext import without_invisible
from app.refusals import Refusal

ALLOWED_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
                    ".html": "html", ".htm": "html"}
MAX_TITLE = 500
MAX_SOURCE = 200
MAX_URL = 2000
MAX_LICENCE = 200
MAX_ATTRIBUTION = 1000


class IngestError(Refusal):
    """Input that cannot become an article: what was sent, a file, a zip, a URL or its page.

    The message is meant for the person who sent it (see ``app.refusals.Refusal`` for
    ``field``, ``params`` and ``status``).
    """


@dataclass(frozen=True)
class ArticleIn:
    """A validated article, ready for extraction."""

    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    licence: str | None = None
    attribution: str | None = None

    @cached_property
    def content_hash(self) -> str:
        """Hash of the normalised text: the same text is the same article (computed once: a
        window's saving asks for it once per quote)."""
        return content_hash(self.text)


def content_hash(text: str) -> str:
    """SHA-256 of the text with Unicode (NFC) and white space normalised."""
    norm = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """Newlines to ``\\n``, BOM and NULs removed, NFC, outer white space trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return unicodedata.normalize("NFC", text).strip()


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_bytes(data: bytes) -> str:
    """Decode an uploaded text file: BOM-marked UTF-8/UTF-16, UTF-8, else cp1252/latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if b"\x00" in data:
        raise IngestError("The file looks binary (it contains NUL bytes), not text.", "file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            # Windows-1252 is what Swedish text that is not UTF-8 almost always is.
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise IngestError(
                "The file could not be decoded: it is neither UTF-8, UTF-16 (with BOM) nor "
                "Windows-1252/Latin-1 text.",
                "file",
            ) from None
    _refuse_binary(text)
    return text


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise IngestError(
            f"The file says it is {encoding.upper()} (byte order mark) but its bytes are not.",
            "file",
        ) from None
    _refuse_binary(text)
    return text.lstrip("\ufeff")


def _refuse_binary(text: str) -> None:
    controls = len(_CONTROL_RE.findall(text))
    if controls > max(2, len(text) // 200):
        raise IngestError("The file looks binary (control characters), not text.", "file")


class _TextExtractor(HTMLParser):
    """Collect the readable text of an HTML page, one paragraph per block element."""

    BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                        "blockquote", "article", "section", "tr", "header", "footer"})
    SKIP = frozenset({"script", "style", "noscript", "template", "nav", "svg", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.title: str | None = None
        self._in_title = False
        self._h1: list[str] | None = None
        self.h1: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        if tag == "title":
            self._in_title = True
        if tag == "h1" and self.h1 is None:
            self._h1 = []
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag == "title":
            self._in_title = False
        if tag == "h1" and self._h1 is not None:
            self.h1 = " ".join("".join(self._h1).split()) or None
            self._h1 = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = ((self.title or "") + data).strip()
            return
        if self.skip:
            return
        if self._h1 is not None:
            self._h1.append(data)
        self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Readable text and title of an HTML document (scripts, styles and navigation dropped)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    paragraphs = [" ".join(p.split()) for p in raw.split("\n")]
    text = "\n".join(p for p in paragraphs if p)
    return text, parser.h1 or parser.title


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)


def markdown_to_text(md: str) -> tuple[str, str | None]:
    """Plain text of a Markdown article; the first heading becomes the title."""
    m = _MD_HEADING.search(md)
    title = m.group(1).strip() if m else None
    text = _MD_HEADING.sub(r"\1", md)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return text, title


#: Publication dates outside these years are refused: a far date (year 9999 with an offset
#: is year 10000 in UTC) cannot be stored the same way on both engines, or shown.
MIN_YEAR, MAX_YEAR = 1800, 2200


def parse_date(value: str | None) -> datetime | None:
    """A publication date from ``YYYY-MM-DD`` or ISO 8601, in UTC (UTC if no offset given)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            dt = datetime(d.year, d.month, d.day, tzinfo=UTC)
        else:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise IngestError(
            f"Invalid publication date {value[:40]!r}: use YYYY-MM-DD.", "published_at"
        ) from None
    return check_date(dt)


def check_date(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime, or IngestError (422) when its year is out of range.

    The year is checked before the offset is applied, so converting never overflows, and
    again in UTC, so an offset never carries a date past the range's ends (what is stored,
    filtered and shown is the UTC instant: ``2200-12-31T23:30-05:00`` is 2201).
    """
    if MIN_YEAR <= value.year <= MAX_YEAR:
        utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        if MIN_YEAR <= utc.year <= MAX_YEAR:
            return utc
    raise IngestError(
        "The publication date must be between the years %(min)s and %(max)s.",
        "published_at", params={"min": str(MIN_YEAR), "max": str(MAX_YEAR)}, status=422)


def _visible(text: str) -> bool:
    """Whether ``text`` has a letter or a digit (zero-width spaces, joiners and other
    format characters, punctuation alone: no article)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _clean_field(value: str | None, limit: int, field: str, label: str) -> str | None:
    if value is None:
        return None
    value = " ".join(_INVISIBLE.sub("", _UNPRINTABLE.sub(" ", value)).split())
    if not any(unicodedata.category(ch)[0] not in "CZ" for ch in value):
        return None  # nothing that shows
    if len(value) > limit:
        raise IngestError(f"The {label} is longer than {limit} characters.", field)
    return value


def _clean_url(value: str | None) -> str | None:
    value = _clean_field(value, MAX_URL, "url", "URL")
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise IngestError("The URL must start with http:// or https://.", "url")
    return value


def with_credit(item: ArticleIn, licence: str | None, attribution: str | None) -> ArticleIn:
    """``item`` with the licence and the credit line its text is published under."""
    return replace(
        item,
        licence=_clean_field(licence, MAX_LICENCE, "licence", "licence"),
        attribution=_clean_field(attribution, MAX_ATTRIBUTION, "attribution", "attribution"),
    )


def build_article(
    *,
    text: str | None,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published_at: str | datetime | None = None,
    max_bytes: int,
    file_title: str | None = None,
) -> ArticleIn:
    """Validate the fields shared by the form, the API and the CLI into an ``ArticleIn``."""
    if text is None or not text.strip():
        raise IngestError("The article text is empty: paste text or choose a file.", "text")
    if len(text.encode("utf-8")) > max_bytes:
        raise IngestError(f"The text is longer than the limit of {max_bytes:,} bytes.", "text")
    clean = normalise_text(text)
    if "\x00" in clean:
        raise IngestError("The text contains NUL characters.", "text")
    clean = without_invisible(clean).strip()
    if not _visible(clean):
        raise IngestError("The text has no visible letters or digits.", "text", translate=True)
    if isinstance(published_at, datetime):
        when: datetime | None = check_date(published_at)
    else:
        when = parse_date(published_at)
    return ArticleIn(
        text=clean,
        title=_clean_field(title, MAX_TITLE, "title", "title")
        or _clean_field((file_title or "")[:MAX_TITLE], MAX_TITLE, "title", "title"),
        source=_clean_field(source, MAX_SOURCE, "source", "source"),
        url=_clean_url(url),
        published_at=when,
    )
