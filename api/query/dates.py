"""The dates of every date parameter (``from``, ``to``, ``baseline_from``, ``baseline_to``,
``date``): how they are read, the range accepted, and how they are written for Elasticsearch.

Policy: a date or date-time parameter must fall on a day from 1000-01-01 to 9998-12-31 (the
day as written, in its own offset or in ``tz``); anything else is a 422 naming the parameter
and this range. Elasticsearch reads four-digit years only, and a day, a week, a year or a time
zone added at either end then still gives a date Python and Elasticsearch can hold.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from api.errors import invalid

FIRST_DAY = date(1000, 1, 1)
LAST_DAY = date(9998, 12, 31)
RANGE = f"{FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}"
# the instants any accepted value can reach: its day, moved by an offset of up to a day
FIRST_INSTANT = datetime(FIRST_DAY.year, 1, 1, tzinfo=UTC) - timedelta(days=1)
LAST_INSTANT = datetime(LAST_DAY.year + 1, 1, 2, tzinfo=UTC)
FORMAT_HINT = "expected a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z])"
OUT_OF_RANGE = f"dates go from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"

# for the OpenAPI schema: what a generated client may send (the day is checked too)
_YEAR = r"(1[0-9]{3}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9])"
_DAY = r"(0[1-9]|1[0-9]|2[0-8])"  # days 29-31 exist in some months only: valid, not in the pattern
DATE_PATTERN = rf"^{_YEAR}-(0[1-9]|1[0-2])-{_DAY}$"
WHEN_PATTERN = (
    rf"^{_YEAR}-(0[1-9]|1[0-2])-{_DAY}"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9])?)?$"
)

# json_schema_extra of the parameters (the pattern is for the schema: the code checks more)
WHEN_SCHEMA: dict[str, object] = {"pattern": WHEN_PATTERN}
DAY_SCHEMA: dict[str, object] = {"pattern": DATE_PATTERN}


def _in_range(name: str, day: date, raw: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise invalid(name, OUT_OF_RANGE, raw)


def read_day(name: str, raw: str) -> date:
    """``YYYY-MM-DD`` (or another ISO form of a day) within the accepted range."""
    text = raw.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise invalid(name, "expected a day: YYYY-MM-DD", raw) from None
    _in_range(name, day, raw)
    return day


def read_when(name: str, raw: str) -> tuple[datetime, bool]:
    """A date or a date-time (naive when written without an offset, i.e. local), within the
    range; and whether it was a whole day (then it is that day's midnight, naive)."""
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            _in_range(name, day, raw)
            return datetime(day.year, day.month, day.day), True
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise invalid(name, FORMAT_HINT, raw) from None
    _in_range(name, dt.date(), raw)
    return dt, False


def moved(name: str, dt: datetime, delta: timedelta, why: str) -> datetime:
    """``dt + delta`` when it stays within the instants the range allows; else a 422 for
    ``name`` saying ``why`` the date was moved (a default derived from other parameters)."""
    try:
        out = dt + delta
    except OverflowError:
        out = None
    if out is None or not FIRST_INSTANT <= out <= LAST_INSTANT:
        raise invalid(name, f"{why} would fall outside {RANGE}; give {name}", None)
    return out


def es_instant(dt: datetime) -> str:
    """UTC, milliseconds, four-digit year (``strftime('%Y')`` drops the zeros of year 999)."""
    u = dt.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond // 1000:03d}Z"
    )
