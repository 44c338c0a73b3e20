"""Response models of ``/v1/trends/*`` and ``/v1/digest`` (pydantic v2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models import EntityRef, QueryWarning, SearchHit


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class AnsweredQuery(_Out):
    """The exact question an answer is for: send ``canonical`` again for the same answer, and
    ``search`` to /v1/search for the posts it counted."""

    q: str | None = Field(None, description="the query, as sent")
    filters: dict[str, Any] = Field(
        default_factory=dict, description="the filters in force, as given (the dates are in start and end)"
    )
    tz: str = Field(description="time zone of days, weeks, months and years", examples=["Asia/Tokyo"])
    start: str | None = Field(
        None,
        description="first instant counted (null: no lower bound)",
        examples=["2026-01-01T00:00:00+09:00"],
    )
    end: str | None = Field(
        None,
        description="first instant NOT counted (null: no upper bound)",
        examples=["2027-01-01T00:00:00+09:00"],
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="this endpoint's own parameters, defaults applied"
    )
    entities: list[EntityRef] = Field(default_factory=list, description="entities q names")
    warnings: list[QueryWarning] = Field(default_factory=list, description="parts of q repaired or ignored")
    canonical: str = Field(description="the whole query string of this answer, every value explicit")
    search: str = Field(
        description="a /v1/search request for the same posts (same q, filters and period)",
        examples=["/v1/search?q=model+welfare&from=2026-01-01T00%3A00%3A00%2B09%3A00"],
    )


# -- timeline --------------------------------------------------------------------------------


class TimelineBucket(_Out):
    key: str = Field(
        description="the bucket: YYYY-MM-DD (day, week: its Monday), YYYY-MM, YYYY", examples=["2026-06-01"]
    )
    start: str = Field(
        description="first instant of the bucket, in tz", examples=["2026-06-01T00:00:00+09:00"]
    )
    count: int = Field(description="posts matching q and the filters")
    all: int = Field(description="all posts in the bucket (no q, no filters)")
    share: float = Field(description="count / all (0 when the bucket holds no posts at all)")
    partial: bool = Field(False, description="the period starts or ends inside this bucket")


class SeriesBucket(_Out):
    key: str
    count: int
    share: float = Field(description="count / all posts in the bucket")


class TimelineSeries(_Out):
    key: str = Field(description="tag key, entity id, source, language, or compare-N")
    label: str | None = Field(None, description="display name (tag spelling, entity name, compare query)")
    q: str | None = Field(None, description="compare: this series' query (ANDed with q and the filters)")
    total: int = Field(description="posts of the series in the period (the sum of its counts)")
    buckets: list[SeriesBucket] = Field(description="aligned with the top-level buckets")


class TimelineResponse(_Out):
    query: AnsweredQuery
    interval: Literal["day", "week", "month", "year"]
    total: int = Field(
        description="posts matching q and the filters: the /v1/search total for the same "
        "request (undated posts included when neither from nor to is given)"
    )
    undated: int = Field(0, description="matching posts without a date (in no bucket)")
    buckets: list[TimelineBucket]
    split: Literal["tag", "entity", "source", "lang", "compare"] | None = None
    series: list[TimelineSeries] = Field(default_factory=list)
    timed_out: bool = False
    partial: bool = False


# -- top, rising, co-occurrence --------------------------------------------------------------


class TopItem(_Out):
    key: str
    label: str | None = None
    type: str | None = Field(None, description="entity type (by=entity)")
    count: int = Field(description="posts matching q and the filters that carry it")
    share: float = Field(description="count / total")


class TopResponse(_Out):
    query: AnsweredQuery
    by: Literal["tag", "entity", "source", "key_term"]
    total: int = Field(description="posts matching q and the filters in the period")
    items: list[TopItem]
    timed_out: bool = False
    partial: bool = False


class PeriodCount(_Out):
    start: str
    end: str
    total: int = Field(description="posts matching q and the filters in the period")


class RisingItem(_Out):
    key: str
    label: str | None = None
    type: str | None = None
    count: int = Field(description="posts carrying it in the period")
    baseline_count: int = Field(description="posts carrying it in the baseline period")
    share: float = Field(description="count / period total")
    baseline_share: float = Field(description="baseline_count / baseline total")
    change: float = Field(description="share - baseline_share")
    score: float = Field(description="log2 of the smoothed share ratio (see the endpoint)")


class RisingResponse(_Out):
    query: AnsweredQuery
    by: Literal["tag", "entity", "key_term"]
    period: PeriodCount
    baseline: PeriodCount
    score: str = Field(description="how score is computed")
    items: list[RisingItem]
    timed_out: bool = False
    partial: bool = False


class Anchor(_Out):
    kind: Literal["entity", "tag"]
    key: str
    label: str | None = None


class CoItem(_Out):
    kind: Literal["entity", "tag"]
    key: str
    label: str | None = None
    type: str | None = None
    count: int = Field(description="posts carrying both it and the anchor")
    total: int = Field(description="posts carrying it (in the filtered set)")
    share: float = Field(description="count / anchor_count: P(it | anchor)")
    lift: float = Field(
        description="P(anchor and it) / (P(anchor) P(it)) = count × N / (anchor_count × total)"
    )


class CooccurrenceResponse(_Out):
    query: AnsweredQuery
    of: Anchor
    total: int = Field(description="N: posts matching q and the filters in the period")
    anchor_count: int = Field(description="of those, posts carrying the anchor")
    entities: list[CoItem] = Field(default_factory=list)
    tags: list[CoItem] = Field(default_factory=list)
    timed_out: bool = False
    partial: bool = False


# -- digest ----------------------------------------------------------------------------------


class DigestResponse(_Out):
    query: AnsweredQuery
    date: str = Field(description="the day, in tz", examples=["2026-06-05"])
    total: int = Field(description="posts matching q and the filters on that day")
    by_importance: dict[str, int] = Field(
        default_factory=dict, description="posts per importance 5..1, and 'none' for posts without one"
    )
    posts: list[SearchHit] = Field(description="most important first, then newest, then by id")
    timed_out: bool = False
    partial: bool = False
