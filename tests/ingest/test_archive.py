"""app.ingest.archive: zip batch uploads, built in memory, including real bombs and traversal."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from app.ingest import archive
from app.ingest.archive import read_zip, safe_name
from app.ingest.readers import IngestError

MB = 1024 * 1024
TEXT = "”Vi måste sänka elpriset”, sa Åsa Öberg.\n".encode()


def make_zip(files: list[tuple[str, bytes]],
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip with these entries, names stored exactly as given."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 14, 8, 30, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


def patch_headers(data: bytes, offset_local: int, offset_central: int, fmt: str,
                  value: int) -> bytes:
    """Overwrite one field in every local and central directory header."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", offset_local), (b"PK\x01\x02", offset_central)):
        start = 0
        while (pos := out.find(signature, start)) != -1:
            struct.pack_into(fmt, out, pos + offset, value)
            start = pos + 4
    return bytes(out)


def refused(data: bytes, **kwargs: float) -> IngestError:
    with pytest.raises(IngestError) as info:
        read_zip(data, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == "file"
    return info.value


def test_reads_supported_files_in_order() -> None:
    data = make_zip([
        ("a.txt", TEXT),
        ("notes/b.md", b"# Rubrik\n\nText."),
        ("c.html", b"<p>x</p>"),
        ("d.HTM", b"<p>y</p>"),
        ("e.markdown", b"z"),
        ("bild.jpg", b"\xff\xd8\xff"),
        ("rapport.pdf", b"%PDF-1.7"),
        ("notes/", b""),
    ])
    assert read_zip(data) == [("a.txt", TEXT), ("b.md", b"# Rubrik\n\nText."),
                              ("c.html", b"<p>x</p>"), ("d.HTM", b"<p>y</p>"),
                              ("e.markdown", b"z")]


def test_stored_entries_are_read_too() -> None:
    assert read_zip(make_zip([("a.txt", TEXT)], zipfile.ZIP_STORED)) == [("a.txt", TEXT)]


def test_hidden_files_and_macos_metadata_are_skipped() -> None:
    data = make_zip([
        ("__MACOSX/._artikel.txt", b"\x00\x05\x16\x07"),
        ("__MACOSX/mapp/artikel.txt", b"junk"),
        (".DS_Store", b"\x00\x00\x00\x01Bud1"),
        (".hidden.txt", b"secret"),
        ("mapp/.git/HEAD.txt", b"ref"),
        ("mapp/artikel.txt", TEXT),
    ])
    assert read_zip(data) == [("artikel.txt", TEXT)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/evil.txt", "evil.txt"),
        ("/etc/cron.d/abs.txt", "abs.txt"),
        ("..\\..\\windows\\win.txt", "win.txt"),
        ("C:\\Users\\x\\drive.txt", "drive.txt"),
        ("C:drive-relative.txt", "drive-relative.txt"),
        ("a/./b/../../../dots.md", "dots.md"),
        ("ok\x01\x1f.txt.exe.txt", "ok.txt.exe.txt"),
    ],
)
def test_traversal_names_are_reduced_to_base_names(name: str, expected: str) -> None:
    result = read_zip(make_zip([(name, TEXT)]))
    assert result == [(expected, TEXT)]
    (base, _), = result
    assert "/" not in base and "\\" not in base and base not in (".", "..")


def test_names_are_nfc_normalised() -> None:
    decomposed = "A\u030asa o\u0308vrigt.txt"  # how macOS stores "Åsa övrigt.txt"
    assert read_zip(make_zip([(decomposed, TEXT)])) == [("Åsa övrigt.txt", TEXT)]


@pytest.mark.parametrize("name", ["", "/", "../", "mapp/..", "..", "a/."])
def test_safe_name_without_a_file_name(name: str) -> None:
    assert safe_name(name) is None


def test_overlong_name_keeps_its_suffix() -> None:
    name = safe_name("x" * 400 + ".html")
    assert name is not None and len(name) == 255 and name.endswith(".html")


@pytest.mark.parametrize("name", ["inner.zip", "mapp/arkiv.tar", "b.tar.gz", "c.7z", "d.rar"])
def test_nested_archives_are_refused(name: str) -> None:
    error = refused(make_zip([("a.txt", TEXT), (name, make_zip([("x.txt", TEXT)]))]))
    assert "nested archives" in error.message


def test_archive_renamed_to_txt_is_refused() -> None:
    error = refused(make_zip([("sneaky.txt", make_zip([("x.txt", TEXT)]))]))
    assert "'sneaky.txt'" in error.message
    assert "nested archives" in error.message


def test_encrypted_entry_is_refused() -> None:
    data = make_zip([("hemlig.txt", TEXT)])
    # General purpose bit 0 (encrypted): offset 6 in a local header, 8 in a central one.
    encrypted = patch_headers(data, 6, 8, "<H", 0x1)
    error = refused(encrypted)
    assert "'hemlig.txt' is encrypted" in error.message


def test_too_many_files() -> None:
    data = make_zip([(f"{i}.txt", TEXT) for i in range(4)])
    assert len(read_zip(data, max_files=4)) == 4
    error = refused(data, max_files=3)
    assert "4 article files" in error.message
    assert "limit is 3" in error.message


def test_too_many_entries_of_any_kind() -> None:
    data = make_zip([(f"{i}.jpg", b"") for i in range(31)] + [("a.txt", TEXT)])
    assert "entries" in refused(data, max_files=3).message


def test_file_over_the_per_file_limit() -> None:
    data = make_zip([("stor.txt", b"a" * (MB + 1))])
    error = refused(data, max_file_bytes=MB)
    assert "'stor.txt'" in error.message
    assert "1,048,576 bytes per file" in error.message


def test_total_over_the_limit() -> None:
    data = make_zip([(f"{i}.txt", bytes([65 + i]) * 100_000) for i in range(5)])
    error = refused(data, max_total_bytes=450_000)
    assert "add up to more than 450,000 bytes" in error.message


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """50 MB of zeros deflated to about 50 kB (a ratio near 1000:1)."""
    data = make_zip([("bomb.txt", b"\0" * (50 * MB))])
    assert len(data) < 100 * 1024
    return data


def test_zip_bomb_refused_on_declared_size(zip_bomb: bytes) -> None:
    assert "larger than the limit" in refused(zip_bomb).message


def test_zip_bomb_refused_on_ratio(zip_bomb: bytes) -> None:
    error = refused(zip_bomb, max_file_bytes=100 * MB, max_total_bytes=100 * MB)
    assert "zip bomb" in error.message


def test_ratio_limit_spares_short_repetitive_text() -> None:
    spaces = b" " * 200_000  # packs far beyond 100:1, but is small
    assert read_zip(make_zip([("luft.txt", spaces)])) == [("luft.txt", spaces)]


def test_lying_declared_sizes_are_refused(zip_bomb: bytes) -> None:
    # Declare 1,000 bytes for the 50 MB entry (offset 22 local, 24 central: uncompressed size).
    lying = patch_headers(zip_bomb, 22, 24, "<I", 1000)
    error = refused(lying)
    assert "damaged" in error.message or "zip bomb" in error.message


@pytest.mark.parametrize(
    ("kwargs", "words", "max_read"),
    [
        ({}, "larger than the limit of 2,097,152 bytes per file", 2 * MB),
        ({"max_file_bytes": 100 * MB, "max_total_bytes": 10 * MB, "max_ratio": 1e9},
         "add up to more than 10,485,760 bytes", 10 * MB),
        ({"max_file_bytes": 100 * MB, "max_total_bytes": 100 * MB}, "zip bomb", 6 * MB),
    ],
)
def test_counting_while_reading_stops_a_bomb_on_its_own(
    zip_bomb: bytes, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, float], words: str,
    max_read: int,
) -> None:
    """Even if the declared sizes were believed, reading stops at the limits, in chunks."""
    monkeypatch.setattr(archive, "_check_declared", lambda *args, **kw: None)
    reads: list[int] = []
    real_open = zipfile.ZipFile.open

    def counting_open(self: zipfile.ZipFile, *args: object, **kw: object) -> object:
        stream = real_open(self, *args, **kw)  # type: ignore[arg-type]
        real_read = stream.read

        def read(n: int = -1) -> bytes:
            chunk = real_read(n)
            reads.append(len(chunk))
            return chunk

        stream.read = read  # type: ignore[method-assign]
        return stream

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    assert words in refused(zip_bomb, **kwargs).message
    assert reads and max(reads) <= 64 * 1024
    assert max_read < sum(reads) <= max_read + 64 * 1024 or words == "zip bomb"
    assert sum(reads) <= max_read + 64 * 1024


def test_overlapping_entries_are_refused() -> None:
    """Two directory entries pointing at the same data (the overlapping-file bomb)."""
    data = bytearray(make_zip([("a.txt", b"abc" * 40_000)], zipfile.ZIP_STORED))
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    central = bytes(data[cd_offset:cd_offset + cd_size])
    rebuilt = bytearray(data[:cd_offset]) + central + central
    end = bytearray(data[eocd:])
    struct.pack_into("<HHII", end, 8, 2, 2, 2 * cd_size, cd_offset)
    error = refused(bytes(rebuilt + end))
    assert "overlap" in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        b"PK\x03\x04" + b"\x00" * 40,
        make_zip([("a.txt", TEXT * 100)])[:-30],  # truncated: no end of central directory
    ],
)
def test_corrupt_zip_is_refused(data: bytes) -> None:
    assert "not a valid zip" in refused(data).message


def test_corrupt_entry_data_is_refused() -> None:
    data = bytearray(make_zip([("a.txt", bytes(range(256)) * 400)]))
    start = 30 + len("a.txt")  # first local header, then the compressed data
    data[start + 10:start + 60] = b"\xff" * 50
    error = refused(bytes(data))
    assert "'a.txt'" in error.message
    assert "damaged" in error.message


def test_unsupported_compression_method_is_refused() -> None:
    data = make_zip([("a.txt", TEXT)])
    deflate64 = patch_headers(data, 8, 10, "<H", 9)
    assert "compression method" in refused(deflate64).message


def test_empty_and_article_less_zips_are_refused() -> None:
    assert "empty" in refused(b"").message
    assert "no article files" in refused(make_zip([("bild.png", b"\x89PNG")])).message
