"""Opaque, signed cursors for deep paging.

A cursor holds the query fingerprint, the concrete indices it reads, the search_after values of
the last hit delivered, the point-in-time id, the count delivered so far, the walk's "now" (for
the recency blend) and the posts the next page leaves out. The token is
base64url (no padding) of ``HMAC-SHA256(key, prefix + body) + body`` where ``body`` is
compressed JSON. The signature is checked before anything is decompressed or parsed, so a token
the server did not issue (altered, cut short, made with another key) is refused outright; the
fields are still checked one by one after that, so a bad payload signed with the real key gets
a clear error too rather than reaching Elasticsearch.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from api.errors import FieldError, InvalidParameters

VERSION = 2
MAX_CURSOR_CHARS = 8192
_MAX_SORT_VALUES = 4
_MAX_SKIP = 100  # a page's size at most
_MAX_PAYLOAD_BYTES = 64 * 1024
_TAG_BYTES = hashlib.sha256().digest_size
_DOMAIN = b"aiposts cursor v2\n"  # so this key's signatures mean nothing elsewhere
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
# a PIT id as Elasticsearch writes it: base64 (url-safe or not), maybe padded
_PIT_CHARS = re.compile(r"[A-Za-z0-9_+/-]+={0,2}")
_LONG = 2**63
_INT = 2**31
_RESTART = "start again with cursor=*"

# what each search_after slot holds: the text score, a date or long, an integer field, a keyword
SortKind = Literal["score", "long", "int", "keyword"]


class CursorError(InvalidParameters, ValueError):
    """The cursor cannot be read, is not one this server issued, or belongs to another query
    or index (a 422 naming ``cursor``). Still a ValueError: parsing code may catch it as one."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldError(field="cursor", message=message)])


@dataclass(frozen=True)
class Cursor:
    fingerprint: str  # of q + filters + sort: a cursor only continues its own query
    after: list[Any]  # search_after values of the last hit delivered
    pit: str | None = None  # point in time; None: open one on first use
    seen: int = 0  # hits delivered before this page
    indices: tuple[str, ...] = ()  # the concrete indices behind the alias when it was issued
    now_ms: int | None = None  # the walk's "now" (epoch ms) for the recency decay
    # ids delivered at the boundary, which the next page leaves out: after a rescored relevance
    # page (api.query.paging) the next one is a single-phase query, whose scores may differ
    # from the rescored ones in the last float bit, so it continues just above the last score
    skip: tuple[str, ...] = ()


def _tag(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, _DOMAIN + body, hashlib.sha256).digest()


def seal(payload: bytes, key: bytes) -> str:
    """The token for ``payload`` (JSON bytes): compressed, signed, base64url."""
    body = zlib.compress(payload, 6)
    return base64.urlsafe_b64encode(_tag(key, body) + body).decode("ascii").rstrip("=")


def encode(cursor: Cursor, key: bytes) -> str:
    fields = [VERSION, cursor.fingerprint, list(cursor.indices), cursor.after, cursor.pit, cursor.seen,
              cursor.now_ms]
    if cursor.skip:
        fields.append(list(cursor.skip))
    payload = json.dumps(
        fields,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")
    return seal(payload, key)


def _no_constants(name: str) -> Any:
    raise CursorError(f"cursor holds {name}, which is not a sort value; {_RESTART}")


def _body(token: str, key: bytes) -> bytes:
    """The signed body of ``token``, or CursorError with the reason."""
    if len(token) > MAX_CURSOR_CHARS:
        raise CursorError(f"cursor is too long (more than {MAX_CURSOR_CHARS} characters)")
    if not token:
        raise CursorError("cursor is empty: send * to start, then each page's next_cursor")
    if not _BASE64URL.fullmatch(token):
        raise CursorError("cursor is not one this API issued: it may hold only A-Z a-z 0-9 - _")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CursorError(f"cursor is not one this API issued (cut short?); {_RESTART}") from exc
    if len(raw) <= _TAG_BYTES:
        raise CursorError(f"cursor is cut short or not one this API issued; {_RESTART}")
    tag, body = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(key, body)):
        raise CursorError(
            f"cursor signature does not match: it was altered, cut short or issued by another "
            f"server; {_RESTART}"
        )
    return body


def _payload(body: bytes) -> Any:
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(body, _MAX_PAYLOAD_BYTES)
        if not inflater.eof or inflater.unconsumed_tail:
            raise CursorError("cursor payload is incomplete or too large")
        return json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, zlib.error, UnicodeDecodeError) as exc:
        if isinstance(exc, CursorError):
            raise
        raise CursorError("cursor payload cannot be read") from exc


def _check_value(position: int, value: Any, kind: SortKind) -> None:
    where = f"cursor sort value {position + 1}"
    if kind == "keyword":
        if not isinstance(value, str) or len(value) > 1024:
            raise CursorError(f"{where} must be a text of at most 1024 characters, not {value!r:.60}")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CursorError(f"{where} must be a number, not {value!r:.60}")
    if kind == "score":
        if not math.isfinite(value):
            raise CursorError(f"{where} must be a finite number, not {value!r}")
        return
    limit = _LONG if kind == "long" else _INT
    if not isinstance(value, int) or not -limit <= value < limit:
        raise CursorError(f"{where} must be a whole number in the field's range, not {value!r:.60}")


def check_after(after: Sequence[Any], kinds: Sequence[SortKind]) -> None:
    """The search_after values fit the sort they are meant for (count and type per slot)."""
    if len(after) != len(kinds):
        raise CursorError(f"cursor holds {len(after)} sort values where this sort has {len(kinds)}")
    for position, (value, kind) in enumerate(zip(after, kinds, strict=True)):
        _check_value(position, value, kind)


def decode(token: str, key: bytes, kinds: Sequence[SortKind] | None = None) -> Cursor:
    """The cursor in ``token``: signature first, then every field (and the sort values against
    ``kinds`` when given)."""
    data = _payload(_body(token, key))
    if not (isinstance(data, list) and len(data) in (7, 8) and data[0] == VERSION):
        raise CursorError(f"cursor is from another version of this API; {_RESTART}")
    _, fp, indices, after, pit, seen, now_ms = data[:7]
    skip = data[7] if len(data) == 8 else []
    if (not isinstance(skip, list) or not len(skip) <= _MAX_SKIP
            or not all(isinstance(i, str) and 0 < len(i) <= 1024 for i in skip)):
        raise CursorError(f"cursor holds a bad list of posts to leave out; {_RESTART}")
    if not isinstance(fp, str) or not 0 < len(fp) <= 64:
        raise CursorError("cursor has no valid query fingerprint")
    if (not isinstance(indices, list) or not 0 < len(indices) <= 64
            or not all(isinstance(i, str) and 0 < len(i) <= 255 for i in indices)):
        raise CursorError("cursor does not name the indices it reads")
    if not isinstance(after, list) or not 0 < len(after) <= _MAX_SORT_VALUES:
        raise CursorError(f"cursor must hold 1 to {_MAX_SORT_VALUES} sort values")
    if kinds is not None:
        check_after(after, kinds)
    else:  # the sort is not known here: at least texts and finite numbers only
        for position, value in enumerate(after):
            if isinstance(value, str):
                _check_value(position, value, "keyword")
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                raise CursorError(f"cursor sort value {position + 1} must be a number or a text, "
                                  f"not {value!r:.60}")
            else:
                _check_value(position, value, "score")
    if pit is not None and (not isinstance(pit, str) or not 0 < len(pit) <= 4096
                            or not _PIT_CHARS.fullmatch(pit)):
        raise CursorError(f"cursor holds a point-in-time id that is not one; {_RESTART}")
    if isinstance(seen, bool) or not isinstance(seen, int) or not 0 <= seen < _LONG:
        raise CursorError("cursor holds a bad count of hits delivered")
    if now_ms is not None and (isinstance(now_ms, bool) or not isinstance(now_ms, int)
                               or not 0 <= now_ms < _LONG):
        raise CursorError("cursor holds a bad time for the recency of its scores")
    return Cursor(fingerprint=fp, after=after, pit=pit, seen=seen, indices=tuple(indices), now_ms=now_ms,
                  skip=tuple(skip))
