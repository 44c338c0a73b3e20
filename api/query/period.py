"""Time zones and periods: how ``tz``, ``from`` and ``to`` (and the baseline pair of
/v1/trends/rising) become a ``[start, end)`` of instants.

* ``tz`` is an IANA zone name (``Asia/Tokyo``, the analytics default; ``UTC``;
  ``Europe/Paris``) or a fixed offset (``+09:00``).
* A date parameter is read once (``When``) and placed in a zone later: a date
  (``2026-06-01``) is that local day (a ``to`` includes the whole day), a date-time without an
  offset is local time, one with an offset (or ``Z``) is that instant.
* A period is always ``[start, end)``: start included, end not; either side may be open.
* Every date must fall on a day from 1000-01-01 to 9998-12-31 (``api.query.dates``).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

from api.errors import invalid
from api.query.dates import es_instant, read_when

DEFAULT_TZ = "Asia/Tokyo"
ONE_MS = timedelta(milliseconds=1)  # Elasticsearch keeps milliseconds: "<= t" is "< t + 1 ms"
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_ZONE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules", "posix", "right"})


# -- zones ---------------------------------------------------------------------------------------


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


UTC_ZONE = Zone("UTC", UTC)


def parse_tz(raw: str | None) -> Zone:
    """``tz`` -> a Zone (``DEFAULT_TZ`` when empty), or a 422 naming ``tz``."""
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
        return UTC_ZONE
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


def local_midnight(d: date, zone: Zone) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=zone.info)


# -- one date parameter, read once -----------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A date parameter as read, before any zone: ``dt`` is naive unless the value had an
    offset; ``whole_day`` when it was a date (then ``dt`` is that day's naive midnight)."""

    name: str
    raw: str
    dt: datetime
    whole_day: bool

    def first(self, zone: Zone) -> datetime:
        """The first instant the value includes, read in ``zone``."""
        if self.whole_day:
            return local_midnight(self.dt.date(), zone)
        return self.dt if self.dt.tzinfo is not None else self.dt.replace(tzinfo=zone.info)

    def after(self, zone: Zone) -> datetime:
        """The first instant after the value (a date includes its whole day)."""
        if self.whole_day:
            return local_midnight(self.dt.date() + timedelta(days=1), zone)
        return self.first(zone) + ONE_MS


def read(name: str, raw: str | None) -> When | None:
    """Parse a date parameter (None when absent or blank; a 422 naming it when unreadable)."""
    if raw is None or not raw.strip():
        return None
    dt, whole_day = read_when(name, raw)
    return When(name, raw, dt, whole_day)


# -- periods -------------------------------------------------------------------------------------


def iso(dt: datetime, zone: Zone) -> str:
    """``dt`` in ``zone`` with its offset, milliseconds only when there are some."""
    local = dt.astimezone(zone.info)
    return local.isoformat(timespec="milliseconds" if local.microsecond else "seconds")


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
            rng["gte"] = es_instant(self.start)
        if self.end is not None:
            rng["lt"] = es_instant(self.end)
        return {"range": {"published": rng}}

    def length(self) -> timedelta:
        assert self.start is not None and self.end is not None
        return self.end - self.start


@dataclass(frozen=True)
class Dates:
    """A ``from``/``to``-like pair as read once; ``in_zone`` turns it into a Period."""

    start: When | None = None
    end: When | None = None

    def in_zone(self, zone: Zone) -> Period:
        """The period in ``zone``; a 422 naming the end when it is not after the start."""
        period = Period(self.start.first(zone) if self.start else None,
                        self.end.after(zone) if self.end else None)
        if self.start and self.end and period.length() <= timedelta(0):
            name = self.end.name
            raise invalid(name, f"'{name}' is before '{self.start.name}'", self.end.raw)
        return period


def period_from_params(
    raw_from: str | None, raw_to: str | None, zone: Zone, names: tuple[str, str] = ("from", "to")
) -> Period:
    """A pair of raw parameters (e.g. ``baseline_from``/``baseline_to``) as a period in ``zone``."""
    return Dates(read(names[0], raw_from), read(names[1], raw_to)).in_zone(zone)
