"""``from``/``to`` of /v1/search and /v1/export read in a time zone (``tz``), as the trend
endpoints read them, so a page can ask both the same question.

``search_filters`` reads the dates in UTC; without ``tz`` that stays so. With ``tz`` the raw
parameters are read again in that zone: a date is that local day, a date-time without an
offset is local time (``api.analytics.period``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from api.analytics.period import ONE_MS, Zone, parse_tz, period_from_params
from api.query.params import SearchFilters
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


def zoned(request: Request, filters: SearchFilters, tz: str | None) -> tuple[SearchFilters, Zone | None]:
    """``filters`` with ``from``/``to`` read in ``tz`` (unchanged, and None, without ``tz``)."""
    if tz is None or not tz.strip():
        return filters, None
    zone = parse_tz(tz)
    period = period_from_params(request.query_params.get("from"), request.query_params.get("to"), zone)
    dated = filters.model_copy(
        update={
            "date_from": period.start,
            "date_to": period.end - ONE_MS if period.end else None,
            "date_to_inclusive_day": False,
        }
    )
    return dated, zone
