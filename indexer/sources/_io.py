"""File access shared by the readers: transparent gzip, size caps, and a cheap "is this text?" check."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO

from indexer.sources._encoding import bom_codec, is_wide

GZIP_MAGIC = b"\x1f\x8b"
RAW_CAP = 64 * 1024  # raw bytes kept on a Reject (enough to debug, small enough for a rejects file);
# the README documents this cap
MAX_FILE = 256 * 1024 * 1024  # whole-file readers (page, markdown, feed) refuse bigger inputs
SNIFF = 8192

# What a broken gzip stream can raise while reading; readers turn these into Rejects.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)


def cap(raw: bytes) -> bytes:
    return raw[:RAW_CAP]


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> BinaryIO:
    """Open for reading, decompressing when the file is gzip (by magic bytes, not by name)."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def read_all(path: Path, limit: int = MAX_FILE) -> bytes:
    """The whole (decompressed) content; ValueError when it is larger than ``limit``."""
    with open_binary(path) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"file larger than {limit} bytes")
    return data


def head(path: Path, n: int = SNIFF) -> bytes:
    with open_binary(path) as f:
        return f.read(n)


def head_readable(path: Path, n: int) -> bytes:
    """Up to ``n`` first bytes, stopping quietly where a broken gzip stream breaks off (the
    reader reports that at its place)."""
    out = bytearray()
    with open_binary(path) as f:
        try:
            while len(out) < n and (chunk := f.read(min(65536, n - len(out)))):
                out += chunk
        except READ_ERRORS:
            pass
    return bytes(out)


def utf8_error(e: UnicodeDecodeError) -> str:
    return f"invalid UTF-8 at byte {e.start}"


def binary_reason(sample: bytes) -> str | None:
    """Why ``sample`` (the head of a whole-file input) does not look like text, or None.

    NUL bytes never occur in text in an ASCII-compatible encoding, and a high share of other
    control characters means garbage. UTF-16/32 (known by their byte order mark) are full of
    NULs, so they pass. Which encoding the text is in is decided later (``_encoding``).
    """
    if not sample or is_wide(bom_codec(sample)):
        return None
    if b"\x00" in sample:
        return "binary data (NUL bytes), not a text file"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls / len(sample) > 0.05:
        return "binary data (control characters), not a text file"
    return None


def file_problem(path: Path, sniff_binary: bool = True) -> str | None:
    """A reason when the file cannot be read as a text input at all (missing, empty, binary).

    Only whole-file formats are sniffed for binary data: in JSON Lines and feeds a bad record
    must be rejected on its own, wherever it sits in the file."""
    try:
        if not path.exists():
            return "no such file"
        if not path.is_file():
            return "not a regular file"
        if path.stat().st_size == 0:
            return "empty file"
        sample = head(path)
    except READ_ERRORS as e:
        return f"cannot read file: {e}"
    if not sample.strip():
        try:
            whole = head(path, SNIFF * 16)
        except READ_ERRORS as e:
            return f"cannot read file: {e}"
        if not whole.strip():
            return "empty file (no content after decompression)" if is_gzip(path) else (
                "empty file (only whitespace)"
            )
    return binary_reason(sample) if sniff_binary else None
