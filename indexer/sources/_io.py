"""File access shared by the readers: transparent gzip, size caps, and a cheap "is this text?" check."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
RAW_CAP = 64 * 1024  # raw bytes kept on a Reject (enough to debug, small enough for a rejects file)
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


def decode_utf8(data: bytes) -> str:
    """Strict UTF-8 with an optional BOM; UnicodeDecodeError names the bad byte."""
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def utf8_error(e: UnicodeDecodeError) -> str:
    return f"invalid UTF-8 at byte {e.start}"


def binary_reason(sample: bytes, strict_utf8: bool = True) -> str | None:
    """Why ``sample`` does not look like text, or None.

    NUL bytes never occur in UTF-8 text; a high share of control characters or undecodable
    bytes means garbage. A few bad bytes are tolerated so that one broken line in a JSONL file
    is rejected on its own instead of taking the whole file down. Feeds may declare another
    encoding, so they pass ``strict_utf8=False``.
    """
    if not sample:
        return None
    if b"\x00" in sample:
        return "binary data (NUL bytes), not a text file"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls / len(sample) > 0.05:
        return "binary data (control characters), not a text file"
    if strict_utf8:
        text = sample.decode("utf-8", errors="replace")
        if text.count("\ufffd") / max(len(text), 1) > 0.2:
            return "binary data or not UTF-8 text"
    return None


def file_problem(path: Path, strict_utf8: bool = True) -> str | None:
    """A reason when the file cannot be read as a text input at all (missing, empty, binary)."""
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
    return binary_reason(sample, strict_utf8)
