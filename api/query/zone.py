"""``tz`` of /v1/search and /v1/export: ``from``/``to`` read in a time zone, as the trend
endpoints read them, so a page can ask both the same question.

``search_filters`` parsed the dates once and placed them in UTC; without ``tz`` that stays
so. With ``tz`` the parsed dates are placed in that zone (``SearchFilters.in_zone``): a date
is that local day, a date-time without an offset is local time (``api.query.period``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.query.params import SearchFilters
from api.query.period import parse_tz
from api.query.schema import TZ_SCHEMA

TzParam = Annotated[
    str | None,
    Query(
        max_length=64,
        json_schema_extra=TZ_SCHEMA,
        description="time zone that from/to are read in (IANA name or ±HH:MM; default UTC) and "
        "that the months facet counts in; the trend endpoints default to Asia/Tokyo",
        openapi_examples={"tokyo": {"value": "Asia/Tokyo"}},
    ),
]


def zoned(filters: SearchFilters, tz: str | None) -> SearchFilters:
    """``filters`` with ``from``/``to`` read in ``tz`` and the zone in ``filters.zone``
    (unchanged without ``tz``): the filters carry the parsed dates, so the query string is not
    read again."""
    if tz is None or not tz.strip():
        return filters
    return filters.in_zone(parse_tz(tz))
