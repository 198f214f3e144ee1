"""Unpack a zip file of articles for a batch upload, refusing anything that smells of abuse.

Names inside a zip are attacker-controlled: only their base name is kept, as a label, and it is
never used to build a path. Sizes in a zip's directory are claims, not facts: they are checked
first (cheap refusal), then the actual decompressed bytes are counted while reading in chunks.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from pathlib import PurePosixPath

from app.ingest.readers import ALLOWED_SUFFIXES, IngestError

ARCHIVE_SUFFIXES = frozenset({".zip", ".jar", ".war", ".apk", ".epub", ".docx", ".odt",
                              ".tar", ".tgz", ".gz", ".gzip", ".bz2", ".tbz", ".tbz2", ".xz",
                              ".txz", ".lz", ".lzma", ".zst", ".7z", ".rar", ".cab", ".iso"})
# Magic numbers of archive and compressed formats, for an archive renamed to .txt.
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\x1f\x8b", b"BZh",
                 b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x28\xb5\x2f\xfd",
                 b"MSCF")
_CHUNK = 64 * 1024
#: The most a zip's files may hold in all, unpacked.
MAX_ZIP_TOTAL_BYTES = 50 * 1024 * 1024
# Below this size the compression ratio says nothing (a short run of spaces packs 100:1).
_RATIO_FLOOR = 256 * 1024
_MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def read_zip(
    data: bytes,
    *,
    max_files: int = 200,
    max_total_bytes: int = MAX_ZIP_TOTAL_BYTES,
    max_file_bytes: int = 2 * 1024 * 1024,
    max_ratio: float = 100.0,
) -> list[tuple[str, bytes]]:
    """(Base name, bytes) of each .txt/.md/.html file in a zip, in archive order."""
    if not data:
        raise IngestError("The zip file is empty.", "file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise IngestError("The file is not a valid zip archive (it may be damaged).",
                          "file") from None
    with archive:
        entries = _select(archive.infolist(), max_files)
        _check_declared(entries, len(data), max_total_bytes, max_file_bytes, max_ratio)
        out: list[tuple[str, bytes]] = []
        total = 0
        for name, info in entries:
            content = _read_entry(archive, info, name, max_file=max_file_bytes,
                                  total_before=total, max_total=max_total_bytes,
                                  max_ratio=max_ratio)
            total += len(content)
            out.append((name, content))
    if not out:
        raise IngestError("The zip file contains no article files (.txt, .md or .html).",
                          "file")
    return out


def safe_name(name: str) -> str | None:
    """The base name of an entry, or None for directories, hidden and macOS resource files."""
    parts = [p for p in _DRIVE.sub("", name.replace("\\", "/")).split("/") if p]
    if not parts or name.endswith(("/", "\\")):
        return None
    if any(p == "__MACOSX" or (p.startswith(".") and p not in (".", "..")) for p in parts):
        return None
    base = unicodedata.normalize("NFC", _CONTROL.sub("", parts[-1])).strip()
    if base in ("", ".", ".."):
        return None
    if len(base) > _MAX_NAME:
        suffix = PurePosixPath(base).suffix[:16]
        base = base[: _MAX_NAME - len(suffix)] + suffix
    return base


def _select(infos: list[zipfile.ZipInfo], max_files: int) -> list[tuple[str, zipfile.ZipInfo]]:
    """The article entries; refuses nested archives, encryption and too many files."""
    if len(infos) > max_files * 10:
        raise IngestError(f"The zip file has {len(infos):,} entries; at most {max_files:,} "
                          "article files are accepted.", "file")
    chosen: list[tuple[str, zipfile.ZipInfo]] = []
    for info in infos:
        if info.is_dir():
            continue
        name = safe_name(info.filename)
        if name is None:
            continue
        suffix = PurePosixPath(name).suffix.lower()
        if suffix in ARCHIVE_SUFFIXES:
            raise IngestError(f"{name!r} is an archive inside the zip: nested archives are not "
                              "accepted. Unpack it and zip the articles together.", "file")
        if suffix not in ALLOWED_SUFFIXES:
            continue
        if info.flag_bits & 0x1:
            raise IngestError(f"{name!r} is encrypted (password-protected): zip the articles "
                              "without a password.", "file")
        chosen.append((name, info))
    if len(chosen) > max_files:
        raise IngestError(f"The zip file has {len(chosen):,} article files; the limit is "
                          f"{max_files:,} per upload.", "file")
    return chosen


def _check_declared(entries: list[tuple[str, zipfile.ZipInfo]], archive_size: int,
                    max_total: int, max_file: int, max_ratio: float) -> None:
    """Refuse on the sizes the zip's directory claims, before decompressing anything."""
    total = 0
    packed = 0
    for name, info in entries:
        if info.file_size > max_file:
            raise _file_too_large(name, max_file)
        if _ratio_exceeded(info.file_size, info.compress_size, max_ratio):
            raise _bomb(name)
        total += info.file_size
        packed += info.compress_size
        if total > max_total:
            raise _total_too_large(max_total)
    # Entries that share compressed data (overlapping-file bombs) claim more than exists.
    if packed > archive_size:
        raise IngestError("The zip file's entries overlap or claim more data than the file "
                          "holds: refusing it as a possible zip bomb.", "file")


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, *, max_file: int,
                total_before: int, max_total: int, max_ratio: float) -> bytes:
    """Decompress one entry in chunks, counting real bytes against every limit."""
    buf = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                buf += chunk
                if len(buf) > max_file:
                    raise _file_too_large(name, max_file)
                if total_before + len(buf) > max_total:
                    raise _total_too_large(max_total)
                if _ratio_exceeded(len(buf), info.compress_size, max_ratio):
                    raise _bomb(name)
                if len(buf) == len(chunk) and chunk.startswith(ARCHIVE_MAGIC):
                    raise IngestError(f"{name!r} is an archive inside the zip: nested "
                                      "archives are not accepted.", "file")
    except IngestError:
        raise
    except NotImplementedError:  # before RuntimeError, its base class
        raise IngestError(f"{name!r} uses a compression method that is not supported; use "
                          "ordinary (deflate) zip compression.", "file") from None
    except RuntimeError:  # zipfile's "encrypted, password required"
        raise IngestError(f"{name!r} is encrypted (password-protected).", "file") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise IngestError(f"{name!r} in the zip file is damaged and cannot be read.",
                          "file") from None
    return bytes(buf)


def _ratio_exceeded(size: int, packed: int, max_ratio: float) -> bool:
    if size <= _RATIO_FLOOR:
        return False
    return packed <= 0 or size / packed > max_ratio


def _file_too_large(name: str, max_file: int) -> IngestError:
    return IngestError(f"{name!r} in the zip file is larger than the limit of {max_file:,} "
                       "bytes per file.", "file")


def _total_too_large(max_total: int) -> IngestError:
    return IngestError(f"The files in the zip add up to more than {max_total:,} bytes.", "file")


def _bomb(name: str) -> IngestError:
    return IngestError(f"{name!r} expands far more than text does (a zip bomb?): refusing the "
                       "zip file.", "file")
