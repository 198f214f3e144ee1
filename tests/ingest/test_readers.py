"""Readers: decoding uploaded bytes, HTML/Markdown to text, field validation."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

import pytest

from app.ingest.readers import (
    IngestError,
    build_article,
    content_hash,
    decode_bytes,
    html_to_text,
    parse_date,
)
from app.ingest.sources import Fields, from_file

SWEDISH = "Räksmörgås på Åland: ”Vi är öppna”, säger ägaren."
MB = 2 * 1024 * 1024


@pytest.mark.parametrize(
    "data",
    [
        SWEDISH.encode("utf-8"),
        codecs.BOM_UTF8 + SWEDISH.encode("utf-8"),
        SWEDISH.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + SWEDISH.encode("utf-16-be"),
        SWEDISH.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "cp1252"],
)
def test_swedish_encodings_decode_intact(data: bytes) -> None:
    assert decode_bytes(data) == SWEDISH


def test_latin1_decodes_intact() -> None:
    text = "Åsa Öberg: blåbär"
    assert decode_bytes(text.encode("latin-1")) == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"caf\xe9 \x81\x8d\x8f", "could not be decoded"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa", "UTF-8"),
    ],
    ids=["png", "all-bytes", "undecodable", "bad-bom"],
)
def test_bad_bytes_are_refused_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message) as info:
        decode_bytes(data)
    assert info.value.field == "file"


def test_from_file_limits_type_and_size() -> None:
    with pytest.raises(IngestError, match=r"Unsupported file type '\.pdf'"):
        from_file("report.pdf", b"%PDF-1.7", Fields(), MB)
    with pytest.raises(IngestError, match="limit is 10 bytes"):
        from_file("a.txt", b"x" * 11, Fields(), 10)
    with pytest.raises(IngestError, match="empty"):
        from_file("a.txt", b"  \n ", Fields(), MB)
    # A path in the name never matters: only the base name and suffix are used.
    item = from_file("../../etc/passwd.txt", "hej då".encode(), Fields(), MB)
    assert item.text == "hej då" and item.title == "passwd"


def test_html_to_text_drops_scripts_and_keeps_paragraphs() -> None:
    html = (
        "<html><head><title>Sidan</title><script>alert(1)</script></head><body>"
        "<nav>Meny Hem</nav><h1>Rubrik &amp; mer</h1><p>Första stycket.</p>"
        "<p onclick='x()'>”Vi kommer”, <b>sade</b> hon.</p><style>p{}</style></body></html>"
    )
    text, title = html_to_text(html)
    assert text == "Rubrik & mer\nFörsta stycket.\n”Vi kommer”, sade hon."
    assert title == "Rubrik & mer"


def test_markdown_upload_takes_first_heading_as_title() -> None:
    item = from_file("a.md", "# Nyhet\n\n**Fet** [länk](http://x)".encode(), Fields(), MB)
    assert item.title == "Nyhet"
    assert item.text == "Nyhet\n\nFet länk"


def test_build_article_validates_fields() -> None:
    with pytest.raises(IngestError, match="empty") as info:
        build_article(text="   \n", max_bytes=MB)
    assert info.value.field == "text"
    with pytest.raises(IngestError, match="YYYY-MM-DD"):
        build_article(text="x", published_at="31/12/2024", max_bytes=MB)
    with pytest.raises(IngestError, match="http"):
        build_article(text="x", url="javascript:alert(1)", max_bytes=MB)
    with pytest.raises(IngestError, match="limit"):
        build_article(text="å" * MB, max_bytes=MB)
    a = build_article(text="\ufeffRad ett\r\nRad två  ", title="  En  titel ", source="",
                      url="https://example.org/a", published_at="2025-02-27", max_bytes=MB)
    assert a.text == "Rad ett\nRad två"
    assert a.title == "En titel" and a.source is None
    assert a.published_at == datetime(2025, 2, 27, tzinfo=UTC)


def test_parse_date_accepts_iso_and_assumes_utc() -> None:
    assert parse_date("2025-02-27T10:30:00+01:00") == datetime.fromisoformat(
        "2025-02-27T10:30:00+01:00")
    assert parse_date("2025-02-27T10:30:00") == datetime(2025, 2, 27, 10, 30, tzinfo=UTC)
    assert parse_date("") is None


def test_content_hash_ignores_white_space_only() -> None:
    assert content_hash("a  b\nc") == content_hash("a b c")
    assert content_hash("a b c") != content_hash("a b d")
