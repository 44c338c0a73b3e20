"""Date parsing for every input format; every result is timezone-aware.

Policy (documented in indexer/schema/README.md): a date without a time is midnight UTC, a
date-time without an offset is UTC. The aggregator pages write Japan time, so their dates get
+09:00 (see ``jst``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

JST = timezone(timedelta(hours=9))
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def to_datetime(value: object) -> datetime:
    """A date / date-time value (ISO 8601 text, ``date`` or ``datetime``) as an aware datetime.

    Raises ValueError with a readable reason (impossible dates such as 2025-02-30 included).
    """
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"date must be a string, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    try:
        if _DATE_ONLY.match(text):
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        return aware(datetime.fromisoformat(text))
    except ValueError as e:
        raise ValueError(f"bad date {text!r}: {e}") from None


def rfc822(text: str) -> datetime:
    """RSS pubDate (RFC 822/2822); falls back to ISO 8601, which some feeds use anyway."""
    try:
        return aware(parsedate_to_datetime(text.strip()))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return to_datetime(text)
    except ValueError:
        raise ValueError(f"bad date {text.strip()!r}") from None


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Japan time, as the aggregator writes its dates (``2026年6月2日 00:00``)."""
    return datetime(year, month, day, hour, minute, tzinfo=JST)
