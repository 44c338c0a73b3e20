"""Opaque cursors for deep paging: point-in-time id + search_after values + query fingerprint.

A cursor is base64url of compressed JSON. It is not a secret and not trusted: every field is
checked on the way in, and the PIT id only ever goes back to Elasticsearch as a PIT id (a forged
one fails there and is replaced by a fresh PIT; the sort values keep the place).
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any

VERSION = 1
MAX_CURSOR_CHARS = 8192
_MAX_SORT_VALUES = 4


class CursorError(ValueError):
    """The cursor cannot be read, or belongs to another query."""


@dataclass(frozen=True)
class Cursor:
    fingerprint: str  # of q + filters + sort: a cursor only continues its own query
    after: list[Any]  # search_after values of the last hit delivered
    pit: str | None = None  # point in time; None: open one on first use
    seen: int = 0  # hits delivered before this page


def encode(cursor: Cursor) -> str:
    payload = json.dumps(
        [VERSION, cursor.fingerprint, cursor.after, cursor.pit, cursor.seen],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(payload, 6)).decode("ascii").rstrip("=")


def _scalar(v: Any) -> bool:
    return v is None or (isinstance(v, (str, int, float)) and not isinstance(v, bool))


def decode(token: str) -> Cursor:
    if len(token) > MAX_CURSOR_CHARS:
        raise CursorError("cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(zlib.decompressobj().decompress(raw, 64 * 1024).decode("utf-8"))
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError) as exc:
        raise CursorError("cursor is not one this API issued") from exc
    if not (isinstance(data, list) and len(data) == 5 and data[0] == VERSION):
        raise CursorError("cursor is not one this API issued")
    _, fp, after, pit, seen = data
    if not isinstance(fp, str) or not isinstance(after, list) or not after:
        raise CursorError("cursor is not one this API issued")
    if len(after) > _MAX_SORT_VALUES or not all(_scalar(v) for v in after):
        raise CursorError("cursor is not one this API issued")
    if any(isinstance(v, str) and len(v) > 1024 for v in after):
        raise CursorError("cursor is not one this API issued")
    if pit is not None and (not isinstance(pit, str) or len(pit) > 4096):
        raise CursorError("cursor is not one this API issued")
    if not isinstance(seen, int) or seen < 0:
        raise CursorError("cursor is not one this API issued")
    return Cursor(fingerprint=fp, after=after, pit=pit, seen=seen)
