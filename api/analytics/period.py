"""Calendar buckets of the analytics endpoints: days, weeks (Monday to Sunday), months and
years that start at local midnight in the request's zone, in Python and in Elasticsearch alike.

Zones, the reading of ``from``/``to`` and periods are ``api.query.period``'s (the filters
need them too); only the buckets are here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from api.query.period import Zone, local_midnight

Interval = Literal["day", "week", "month", "year"]


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
