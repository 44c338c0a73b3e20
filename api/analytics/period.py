"""Time zones, periods and calendar buckets of the analytics endpoints.

* ``tz`` is an IANA zone name (``Asia/Tokyo``, the default; ``UTC``; ``Europe/Paris``) or a
  fixed offset (``+09:00``). Days, weeks (Monday to Sunday), months and years start at local
  midnight in that zone, in Python and in Elasticsearch alike.
* ``from`` and ``to`` are read in ``tz``: a date (``2026-06-01``) is that local day (``to``
  includes the whole day), a date-time without an offset is local time, one with an offset
  (or ``Z``) is that instant. A period is always ``[start, end)``: start included, end not.
* Every date must fall on a day from 1000-01-01 to 9998-12-31 (``api.query.dates``).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Literal

from api.query.dates import es_instant, invalid, read_when

DEFAULT_TZ = "Asia/Tokyo"
Interval = Literal["day", "week", "month", "year"]
INTERVALS: tuple[str, ...] = ("day", "week", "month", "year")
ONE_MS = timedelta(milliseconds=1)
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_ZONE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules", "posix", "right"})


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def zone_names() -> list[str]:
    """The IANA names ``parse_tz`` accepts (for the OpenAPI schema), ``UTC`` first."""
    return ["UTC", *sorted(n for n in _zone_names() if _ZONE_RE.match(n) and n != "UTC")]


@dataclass(frozen=True)
class Zone:
    name: str  # as Elasticsearch gets it
    info: tzinfo


def parse_tz(raw: str | None) -> Zone:
    text = (raw or "").strip() or DEFAULT_TZ
    m = _OFFSET_RE.match(text)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3))
        if hours > 18 or minutes > 59 or (hours == 18 and minutes):
            raise invalid("tz", "offsets go from -18:00 to +18:00", raw)
        delta = timedelta(hours=hours, minutes=minutes)
        sign = -1 if m.group(1) == "-" else 1
        return Zone(f"{m.group(1)}{hours:02d}:{minutes:02d}", timezone(sign * delta))
    if text.upper() in ("UTC", "Z"):
        return Zone("UTC", UTC)
    if _ZONE_RE.match(text):
        names = _zone_names()
        if text in names or not names:  # no zone list (no tzdata files): let ZoneInfo decide
            try:
                return Zone(text, zoneinfo.ZoneInfo(text))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
    raise invalid(
        "tz", "expected an IANA time zone (Asia/Tokyo, UTC, Europe/Paris) or an offset (+09:00)", raw
    )


def _parse_instant(name: str, raw: str, zone: Zone) -> tuple[datetime, bool]:
    dt, whole_day = read_when(name, raw)
    if whole_day:
        return local_midnight(dt.date(), zone), True
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone.info)
    return dt, False


def start_of(name: str, raw: str | None, zone: Zone) -> datetime | None:
    """``from``-like parameter -> the first instant it includes."""
    if raw is None or not raw.strip():
        return None
    return _parse_instant(name, raw, zone)[0]


def end_of(name: str, raw: str | None, zone: Zone) -> datetime | None:
    """``to``-like parameter -> the first instant after it (a date includes its whole day)."""
    if raw is None or not raw.strip():
        return None
    dt, whole_day = _parse_instant(name, raw, zone)
    if whole_day:
        return local_midnight(dt.astimezone(zone.info).date() + timedelta(days=1), zone)
    return dt + ONE_MS  # Elasticsearch keeps milliseconds: "at or before dt" is "< dt + 1 ms"


def local_midnight(d: date, zone: Zone) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=zone.info)


def floor(dt: datetime, interval: str, zone: Zone) -> datetime:
    """Start of the calendar day/week/month/year that holds ``dt``, in ``zone``."""
    d = dt.astimezone(zone.info).date()
    if interval == "week":
        d -= timedelta(days=d.weekday())
    elif interval == "month":
        d = d.replace(day=1)
    elif interval == "year":
        d = d.replace(month=1, day=1)
    return local_midnight(d, zone)


def step(start: datetime, interval: str, zone: Zone, n: int = 1) -> datetime:
    """The start of the ``n``-th next bucket after the bucket starting at ``start``."""
    d = start.astimezone(zone.info).date()
    if interval == "day":
        d += timedelta(days=n)
    elif interval == "week":
        d += timedelta(weeks=n)
    elif interval == "month":
        months = d.year * 12 + d.month - 1 + n
        d = date(months // 12, months % 12 + 1, 1)
    else:
        d = date(d.year + n, 1, 1)
    return local_midnight(d, zone)


def count_buckets(start: datetime, end: datetime, interval: str, zone: Zone, limit: int) -> int:
    """How many buckets ``[start, end)`` spans (stops counting past ``limit``)."""
    n = 0
    cur = floor(start, interval, zone)
    while cur < end and n <= limit:
        n += 1
        cur = step(cur, interval, zone)
    return n


def bucket_label(start: datetime, interval: str, zone: Zone) -> str:
    local = start.astimezone(zone.info)
    if interval == "year":
        return f"{local.year:04d}"
    if interval == "month":
        return f"{local.year:04d}-{local.month:02d}"
    return local.date().isoformat()


def iso(dt: datetime, zone: Zone) -> str:
    """``dt`` in ``zone`` with its offset, milliseconds only when there are some."""
    local = dt.astimezone(zone.info)
    return local.isoformat(timespec="milliseconds" if local.microsecond else "seconds")


def es_time(dt: datetime) -> str:
    return es_instant(dt)


def epoch_ms(dt: datetime) -> int:
    return round(dt.timestamp() * 1000)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch_ms(ms: float) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)  # also before 1970 and far off, on any platform


@dataclass(frozen=True)
class Period:
    """``[start, end)``; either side open (None) means unbounded."""

    start: datetime | None
    end: datetime | None

    @property
    def bounded(self) -> bool:
        return self.start is not None and self.end is not None

    def clause(self) -> dict[str, Any] | None:
        if self.start is None and self.end is None:
            return None
        rng: dict[str, str] = {}
        if self.start is not None:
            rng["gte"] = es_time(self.start)
        if self.end is not None:
            rng["lt"] = es_time(self.end)
        return {"range": {"published": rng}}

    def length(self) -> timedelta:
        assert self.start is not None and self.end is not None
        return self.end - self.start


def period_from_params(
    raw_from: str | None, raw_to: str | None, zone: Zone, names: tuple[str, str] = ("from", "to")
) -> Period:
    start = start_of(names[0], raw_from, zone)
    end = end_of(names[1], raw_to, zone)
    if start is not None and end is not None and end <= start:
        raise invalid(names[1], f"'{names[1]}' is before '{names[0]}'", raw_to)
    return Period(start, end)
