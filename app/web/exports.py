"""Exports of any quote list: CSV (every row, streamed) and Atom feeds."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.storage.certainty import status_of
from app.storage.exports import ExportRow
from app.storage.queries import QuoteRow

CSV_COLUMNS = ("id", "permalink", "text", "type", "language", "speaker", "speaker_slug",
               "speaker_mention", "cue", "confidence", "speaker_confidence", "speaker_status",
               "article_id", "article_title", "source", "url", "published_at", "start", "end")
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


def _csv_safe(value: object) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


#: Rows written per chunk of a streamed export: one chunk per row made 100,000 trips through
#: the thread pool and the ASGI server for a whole-archive CSV.
CHUNK_ROWS = 1000


def _cells(r: ExportRow, permalink: str, sure: float) -> tuple[object, ...]:
    found = status_of(r.speaker is not None, r.speaker_confidence, r.speaker_checked, sure)
    return (r.public_id, permalink, r.text, r.type, r.language, r.speaker or "",
            r.speaker_slug or "", r.speaker_mention, r.cue, f"{r.confidence:.3f}",
            f"{r.speaker_confidence:.3f}", found, r.article_id, r.article_title, r.source, r.url,
            r.published_at.isoformat() if r.published_at else "", r.start, r.end)


def csv_chunks(rows: Iterable[ExportRow], permalink_base: str, sure: float) -> Iterator[str]:
    """The CSV text in chunks of ``CHUNK_ROWS`` rows, header first; a quote's permalink is
    ``permalink_base`` + its id; ``sure`` (CITAT_SPEAKER_SURE) decides speaker_status."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()  # a BOM so spreadsheet programs read UTF-8 (å, ä, ö)
    buffer.seek(0)
    buffer.truncate()
    for n, r in enumerate(rows, 1):
        writer.writerow([_csv_safe(v) for v in _cells(r, permalink_base + r.public_id, sure)])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterable[ExportRow], permalink_base: str, sure: float) -> Iterator[str]:
    """A JSON array of objects with the CSV's columns (numbers as numbers, empty values as
    null), in chunks of ``CHUNK_ROWS`` rows."""
    yield "["
    parts: list[str] = []
    first = True
    for r in rows:
        item = dict(zip(CSV_COLUMNS, _cells(r, permalink_base + r.public_id, sure),
                        strict=True))
        item["confidence"] = round(r.confidence, 3)
        item["speaker_confidence"] = round(r.speaker_confidence, 3)
        item["speaker"], item["speaker_slug"] = r.speaker, r.speaker_slug
        item["published_at"] = r.published_at.isoformat() if r.published_at else None
        parts.append(("" if first else ",") + json.dumps(item, ensure_ascii=False))
        first = False
        if len(parts) >= CHUNK_ROWS:
            yield "\n".join(parts)
            parts = []
    yield "\n".join(parts) + "]\n"


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
