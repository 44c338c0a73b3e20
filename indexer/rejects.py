"""The rejects file: one JSON line per rejected record, with where it was, why, and its raw bytes.

``raw`` holds a record's bytes when they are UTF-8 text; ``raw_base64`` holds them otherwise,
and always for a file rejected as a whole (its first bytes); either way at most ``RAW_CAP``
(64 KiB). ``encoding`` names the input's encoding when it was not UTF-8."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import IO

import orjson

from indexer.sources._io import RAW_CAP
from indexer.sources.base import Reject


class RejectsFile:
    """Written lazily, so a clean run leaves no empty file behind."""

    def __init__(self, path: Path | None, echo: IO[str] | None = sys.stderr) -> None:
        self.path = path
        self.echo = echo
        self.count = 0
        self._fh: IO[bytes] | None = None

    def write(self, rej: Reject) -> None:
        self.count += 1
        if self.echo is not None:
            print(f"rejected {rej.location}: {rej.reason}", file=self.echo)
        if self.path is None:
            return
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        record: dict[str, object] = {
            "path": rej.location.path,
            "line": rej.location.line,
            "offset": rej.location.offset,
            "reason": rej.reason,
            **_raw_field(rej),
        }
        if rej.encoding is not None:
            record["encoding"] = rej.encoding
        self._fh.write(orjson.dumps(record) + b"\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _raw_field(rej: Reject) -> dict[str, str]:
    """A record's bytes as text when they are UTF-8; a whole file's (no line: rejected as a
    whole, often for being binary) and any other bytes as base64."""
    raw = (rej.raw or b"")[:RAW_CAP]
    whole_file = rej.location.line is None and raw
    if not whole_file:
        try:
            return {"raw": raw.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"raw_base64": base64.b64encode(raw).decode("ascii")}
