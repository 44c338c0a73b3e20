"""JSON Lines (optionally gzip): one post per line, streamed with bounded memory.

A bad line becomes a Reject with its line number and byte offset; the next line still reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson
from pydantic import ValidationError

from indexer.sources import _io
from indexer.sources._common import validation_reason
from indexer.sources.base import Location, Parsed, Reject, SourceError
from indexer.sources.records import record_to_post

MAX_LINE = 64 * 1024 * 1024  # longer lines are rejected without ever being held in memory
_CHUNK = 1024 * 1024


def _skip_line(f: BinaryIO) -> int:
    """Consume the rest of an over-long line; returns the bytes skipped."""
    skipped = 0
    while True:
        chunk = f.readline(_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def parse_line(raw: bytes, loc: Location, last: bool = False) -> Parsed | Reject | None:
    """One line; None for a blank line. ``last``: the file ended without a newline here."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return Reject(loc, f"{_io.utf8_error(e)} of the line", _io.cap(raw))
    text = text.lstrip("\ufeff").strip()
    if not text:
        return None
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        hint = " (truncated last line?)" if last else ""
        return Reject(loc, f"invalid JSON{hint}: {e}", _io.cap(raw))
    try:
        return Parsed(record_to_post(obj), loc)
    except SourceError as e:
        return Reject(loc, str(e), _io.cap(raw))
    except ValidationError as e:
        return Reject(loc, validation_reason(e), _io.cap(raw))


def read_jsonl(path: Path, max_line: int = MAX_LINE) -> Iterator[Parsed | Reject]:
    name = str(path)
    try:
        f = _io.open_binary(path)
    except OSError as e:
        yield Reject(Location(name), f"cannot read file: {e}")
        return
    lineno = offset = records = 0
    with f:
        while True:
            try:
                raw = f.readline(max_line + 1)
            except _io.READ_ERRORS as e:  # corrupt or truncated gzip: the rest is unreadable
                yield Reject(Location(name, lineno + 1, offset), f"cannot read further: {e}")
                return
            if not raw:
                break
            lineno += 1
            loc = Location(name, lineno, offset)
            offset += len(raw)
            if len(raw) > max_line and not raw.endswith(b"\n"):
                try:
                    offset += _skip_line(f)
                except _io.READ_ERRORS as e:
                    yield Reject(loc, f"cannot read further: {e}", _io.cap(raw))
                    return
                yield Reject(loc, f"line longer than {max_line} bytes", _io.cap(raw))
                records += 1
                continue
            item = parse_line(raw, loc, last=not raw.endswith(b"\n"))
            if item is not None:
                records += 1
                yield item
    if records == 0:
        yield Reject(Location(name), "empty file (no JSON lines)")
