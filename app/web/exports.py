"""Exports of any quote list: CSV (every row, streamed) and Atom feeds."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import orjson

from app.storage.exports import COLUMNS as CSV_COLUMNS
from app.storage.queries import QuoteRow

ATOM = "http://www.w3.org/2005/Atom"


#: Characters XML 1.0 does not allow (C0 controls but tab/newline/CR, surrogates, U+FFFE/F):
#: one of them in a quote or a title makes the whole feed unreadable to feed readers.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` with the characters XML 1.0 does not allow replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def _when(row: QuoteRow) -> datetime:
    value = row.article.published_at or row.article.created_at
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: The CSV and JSON exports are written ``CHUNK_ROWS`` rows at a time (one database fetch,
#: one chunk of ~150-300 KB handed to the ASGI server): one chunk per row made 100,000 trips
#: through the thread pool and the server.
CHUNK_ROWS = 500

#: A CSV cell holding one of these is quoted (csv.writer's QUOTE_MINIMAL with its defaults).
_NEEDS_QUOTES = re.compile('[,"\r\n]')
#: The columns whose cells can never hold one (numbers, the status word, an ISO date).
_NEVER_QUOTED = frozenset(i for i, name in enumerate(CSV_COLUMNS) if name in (
    "confidence", "speaker_confidence", "speaker_status", "article_id", "published_at",
    "start", "end"))


def _quoted(cells: Sequence[str]) -> Sequence[str]:
    """A column of CSV cells as ``csv.writer`` writes them: a cell with a comma, a quotation
    mark or a line break in quotation marks, its quotation marks doubled. The whole column is
    looked at once; a cell at a time only when some cell needs it."""
    if not _NEEDS_QUOTES.search("".join(cells)):
        return cells
    needs = _NEEDS_QUOTES.search
    return ['"' + c.replace('"', '""') + '"' if needs(c) else c for c in cells]


def csv_chunks(batches: Iterable[list[Sequence[Any]]]) -> Iterator[str]:
    """The CSV text (what ``csv.writer`` writes, byte for byte), header first, one chunk per
    batch from :func:`app.storage.exports.export_rows` (``for_csv=True``: every value is its
    cell's text). Written a column at a time: ``csv.writer`` looks at every character of
    every cell from Python's side of the fence, and cost as much as the query."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()  # a BOM so spreadsheet programs read UTF-8 (å, ä, ö)
    for columns in batches:
        if columns:
            cells = [c if i in _NEVER_QUOTED else _quoted(c) for i, c in enumerate(columns)]
            yield "\r\n".join(map(",".join, zip(*cells, strict=True))) + "\r\n"


def json_chunks(batches: Iterable[list[Sequence[Any]]]) -> Iterator[bytes]:
    """A JSON array of objects with the CSV's columns (numbers as numbers, empty values as
    null, confidences rounded to 3 decimals), one chunk per batch from
    :func:`app.storage.exports.export_rows` (``for_csv=False``). orjson encodes a batch in
    a fifth of the standard library's time; its UTF-8 goes out as it is."""
    yield b"["
    first = True
    for columns in batches:
        if columns:
            # The list's own brackets dropped: the chunks are the items of one array.
            text = orjson.dumps([dict(zip(CSV_COLUMNS, r, strict=True))
                                 for r in zip(*columns, strict=True)])[1:-1]
            yield text if first else b",\n" + text
            first = False
    yield b"]\n"


def atom_feed(
    rows: list[QuoteRow], *, title: str, self_url: str, alternate_url: str,
    permalink: Callable[[str], str],
) -> bytes:
    """A valid Atom 1.0 feed of quotes."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}",
                           {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = xml_text(text)
        return el

    updated = max((_when(r) for r in rows), default=datetime(2000, 1, 1, tzinfo=UTC))
    sub(feed, "id", self_url)
    sub(feed, "title", title)
    sub(feed, "updated", updated.isoformat())
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=alternate_url, type="text/html")
    sub(feed, "generator", "Citat")
    for row in rows:
        q = row.quote
        who = row.speaker.name if row.speaker else "Okänd talare"
        entry = sub(feed, "entry")
        url = permalink(q.public_id)
        sub(entry, "id", url)
        words = q.text.split()
        sub(entry, "title", f"{who}: ”{' '.join(words[:14])}{' …' if len(words) > 14 else ''}”")
        sub(entry, "updated", _when(row).isoformat())
        sub(entry, "link", rel="alternate", href=url, type="text/html")
        author = sub(entry, "author")
        sub(author, "name", who)
        source = " · ".join(x for x in (row.article.title, row.article.source) if x)
        sub(entry, "content", f"”{q.text}” — {who}" + (f" ({source})" if source else ""),
            type="text")
    body = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")
