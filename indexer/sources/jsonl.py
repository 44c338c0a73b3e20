"""JSON Lines (optionally gzip): one post per line, streamed with bounded memory.

Every line is judged on its own: a bad line (invalid JSON, a NUL byte, bytes its encoding
cannot read) becomes a Reject with its line number and byte offset, and the next line still
reads, wherever in the file the bad line sits. The file's encoding is decided once, from its
first megabyte (UTF-8 unless a BOM or the legacy Japanese encodings say otherwise, see
``_encoding``). Only a file in which no line at all reads as text is one Reject for the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson
from pydantic import ValidationError

from indexer.sources import _encoding, _io
from indexer.sources._common import read_bytes, validation_reason
from indexer.sources.base import Location, Parsed, Reject, SourceError
from indexer.sources.records import record_to_post

MAX_LINE = 64 * 1024 * 1024  # longer lines are rejected without ever being held in memory
_CHUNK = 1024 * 1024
_SAMPLE = 1024 * 1024  # bytes looked at to decide the file's encoding
_HOLD = 100  # non-JSON lines held back while no line has been JSON (see read_jsonl)
BINARY_KIND = "binary data (NUL bytes)"


def undecodable_kind(codec: str) -> str:
    return f"invalid {_encoding.display_name(codec)} text"


@dataclass
class _Line:
    loc: Location
    raw: bytes
    too_long: bool = False
    last: bool = False  # the file ended here without a newline


def _skip_line(f: BinaryIO) -> int:
    """Consume the rest of an over-long line; returns the bytes skipped."""
    skipped = 0
    while True:
        chunk = f.readline(_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _byte_lines(path: Path, max_line: int) -> Iterator[_Line | Reject]:
    """Lines of an ASCII-compatible file (UTF-8, Shift_JIS, EUC-JP all end lines with 0x0A)."""
    name = str(path)
    try:
        f = _io.open_binary(path)
    except OSError as e:
        yield Reject(Location(name), f"cannot read file: {e}")
        return
    lineno = offset = 0
    with f:
        while True:
            try:
                raw = f.readline(max_line + 1)
            except _io.READ_ERRORS as e:  # corrupt or truncated gzip: the rest is unreadable
                yield Reject(Location(name, lineno + 1, offset), f"cannot read further: {e}")
                return
            if not raw:
                return
            lineno += 1
            loc = Location(name, lineno, offset)
            offset += len(raw)
            if len(raw) > max_line and not raw.endswith(b"\n"):
                try:
                    offset += _skip_line(f)
                except _io.READ_ERRORS as e:
                    yield Reject(loc, f"cannot read further: {e}", _io.cap(raw))
                    return
                yield _Line(loc, raw, too_long=True)
                continue
            yield _Line(loc, raw, last=not raw.endswith(b"\n"))


def _wide_lines(path: Path, max_line: int) -> Iterator[_Line | Reject]:
    """Lines of a UTF-16/32 file: its newlines are 2 or 4 bytes, found on code unit bounds.
    Such files are rare and read whole (up to the whole-file cap)."""
    name = str(path)
    data = read_bytes(path, Location(name))
    if isinstance(data, Reject):
        yield data
        return
    codec, pos, unit = _encoding.wide_layout(data)
    newline = "\n".encode(codec)
    lineno = 0
    while pos < len(data):
        i = data.find(newline, pos)
        while i >= 0 and (i - pos) % unit:
            i = data.find(newline, i + 1)
        end = len(data) if i < 0 else i + len(newline)
        lineno += 1
        raw = data[pos:end]
        yield _Line(Location(name, lineno, pos), raw, too_long=len(raw) > max_line, last=i < 0)
        pos = end


def parse_line(
    raw: bytes, loc: Location, last: bool = False, codec: str = "utf-8"
) -> Parsed | Reject | None:
    """One line; None for a blank line. ``last``: the file ended without a newline here.
    ``codec`` reads the line: the file's encoding (for UTF-16/32 the BOM-less, endian one)."""
    encoding = _encoding.noted(codec)
    wide = _encoding.is_wide(codec)
    if not wide and (nul := raw.find(b"\x00")) >= 0:
        return Reject(loc, f"binary data: NUL byte at byte {nul} of the line",
                      _io.cap(raw), encoding=encoding, kind=BINARY_KIND)
    try:
        text = raw.decode("utf-8" if codec == "utf-8-sig" else codec)
    except UnicodeDecodeError as e:
        what = _io.utf8_error(e) if codec in ("utf-8", "utf-8-sig") else (
            f"invalid {_encoding.display_name(codec)} at byte {e.start}")
        return Reject(loc, f"{what} of the line", _io.cap(raw), encoding=encoding,
                      kind=undecodable_kind(codec))
    if "\x00" in text:
        return Reject(loc, "binary data: NUL character in the line", _io.cap(raw),
                      encoding=encoding, kind=BINARY_KIND)
    text = text.lstrip("\ufeff").strip()
    if not text:
        return None
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        hint = " (truncated last line?)" if last else ""
        return Reject(loc, f"invalid JSON{hint}: {e}", _io.cap(raw), encoding=encoding, kind="invalid JSON")
    try:
        return Parsed(record_to_post(obj), loc, encoding=encoding)
    except SourceError as e:
        return Reject(loc, str(e), _io.cap(raw), encoding=encoding)
    except ValidationError as e:
        return Reject(loc, validation_reason(e), _io.cap(raw), encoding=encoding)


def file_codec(path: Path) -> str:
    """The codec every line of the file is read with (see ``_encoding.line_codec``)."""
    sample = _io.head_readable(path, _SAMPLE)
    bom = _encoding.bom_codec(sample)
    if _encoding.is_wide(bom):
        return _encoding.wide_layout(sample)[0]
    if bom is not None:
        return bom
    return _encoding.line_codec(sample)


def read_jsonl(path: Path, max_line: int = MAX_LINE) -> Iterator[Parsed | Reject]:
    name = str(path)
    try:
        codec = file_codec(path)
    except _io.READ_ERRORS as e:
        yield Reject(Location(name), f"cannot read file: {e}")
        return
    encoding = _encoding.noted(codec)
    lines = _wide_lines(path, max_line) if _encoding.is_wide(codec) else _byte_lines(path, max_line)
    unreadable = {BINARY_KIND, undecodable_kind(codec)}
    not_records = {*unreadable, "invalid JSON"}
    # Until a line is a JSON value, lines that are not (garbage, bytes the encoding cannot
    # read, invalid JSON) are held back: when none ever is, the file is not JSON Lines at all
    # (binary, an encoding we do not read, another format) and one Reject says so instead of
    # one per chance newline in it. A JSON line anywhere releases them, one Reject each.
    held: list[Reject] | None = []
    records = 0
    for line in lines:
        if isinstance(line, Reject):
            item: Parsed | Reject | None = line
        elif line.too_long:
            item = Reject(line.loc, f"line longer than {max_line} bytes", _io.cap(line.raw),
                          encoding=encoding)
        else:
            item = parse_line(line.raw, line.loc, last=line.last, codec=codec)
        if item is None:
            continue
        records += 1
        if held is not None:
            if isinstance(item, Reject) and item.kind in not_records and len(held) < _HOLD:
                held.append(item)
                continue
            yield from held
            held = None
        yield item
    if held:
        yield _not_json_lines(path, held, unreadable, encoding)
    elif records == 0:
        yield Reject(Location(name), "empty file (no JSON lines)", _head(path))


def _not_json_lines(path: Path, held: list[Reject], unreadable: set[str], encoding: str | None) -> Reject:
    first = held[0]
    example = f"line {first.location.line}: {first.reason}"
    if any(r.kind in unreadable for r in held):
        return Reject(
            Location(str(path), offset=first.location.offset),
            f"binary data or text in no supported encoding ({_encoding.SUPPORTED}): no line "
            f"of the file is a JSON value ({example})",
            _head(path), encoding=encoding, kind="binary data or unsupported encoding",
        )
    return Reject(Location(str(path)), f"not JSON Lines: no line of the file is a JSON value ({example})",
                  _head(path), encoding=encoding, kind="not JSON Lines")


def _head(path: Path) -> bytes:
    try:
        return _io.head(path, _io.RAW_CAP)
    except _io.READ_ERRORS:
        return b""
