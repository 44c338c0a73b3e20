"""The ``q`` and filters of ``/v1/search``, reusable by every endpoint that takes "the same
query and filters" (export, trend analytics)::

    from api.es import Conf, Es
    from api.query.params import Filters, QParam
    from api.query.term_stats import compile_matching

    @router.get("/v1/export")
    async def export(es: Es, settings: Conf, filters: Filters, q: QParam = None):
        # compile_search with the index's common words, as /v1/search reads q
        query = (await compile_matching(es, settings, q, filters)).query

``compile_search`` raises ``QuerySyntaxError`` (400 with the position) and ``search_filters``
raises ``InvalidParameters`` (422 naming the parameter); both are ``api.errors.ApiError``.
``build_query`` is ``compile_search(q, filters).query``, without common words.

``from``/``to`` are parsed once, here: ``SearchFilters.dates`` keeps them as read, and
``date_from``/``date_to`` are them in UTC until ``in_zone`` places them in a ``tz``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, Field, InstanceOf

from api.errors import invalid
from api.query import entities
from api.query.build import DEFAULT_MATCH, Compiled, MatchMode, compile_tree
from api.query.dates import RANGE, WHEN_SCHEMA, es_instant
from api.query.period import ONE_MS, UTC_ZONE, Dates, Zone, read
from api.query.schema import TAG_PATTERN, entity_values, values
from api.query.syntax import parse
from indexer.analysis import keyword_key, tag_key

MAX_Q_CHARS = 1000
MAX_VALUE_CHARS = 200
MAX_VALUES = 50
_ONE_DAY = timedelta(days=1)

_VALUES = values(MAX_VALUES, MAX_VALUE_CHARS)  # the OpenAPI type of a repeatable filter
_TAGS = values(MAX_VALUES, MAX_VALUE_CHARS, TAG_PATTERN)

Lang = Literal["ja", "en"]
DocType = Literal["post", "aggregator_page", "newsletter_issue", "news_item", "feed_item"]
Mode = Literal["all", "any"]


class SearchFilters(BaseModel):
    """Filters shared by search, export and analytics. Values are already validated."""

    date_from: datetime | None = Field(None, description="published at or after (UTC when no offset)")
    date_to: datetime | None = Field(None, description="published at or before")
    date_to_inclusive_day: bool = Field(False, description="date_to was a day: the whole day counts")
    source: list[str] = Field(default_factory=list)
    author: list[str] = Field(default_factory=list)
    lang: list[Lang] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list)
    tag_mode: Mode = "all"
    exclude_tag: list[str] = Field(default_factory=list)
    entity: list[str] = Field(default_factory=list)
    entity_ids: list[list[str]] = Field(default_factory=list, description="each entity= resolved")
    entity_mode: Mode = "all"
    entity_type: list[str] = Field(default_factory=list)
    min_importance: int | None = Field(None, ge=1, le=5)
    doc_type: list[DocType] = Field(default_factory=list)
    match: MatchMode = Field(DEFAULT_MATCH, description="how many of q's top-level words a post needs")
    # from/to as parsed, so that a zone can be applied without reading the query string again
    dates: InstanceOf[Dates] = Field(default_factory=Dates, exclude=True)
    zone: InstanceOf[Zone] | None = Field(None, exclude=True, description="date_from/date_to's "
                                          "zone; None: UTC, as no tz was given")

    def fingerprint_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"entity_ids"})

    def in_zone(self, zone: Zone) -> SearchFilters:
        """These filters with ``from``/``to`` read in ``zone`` (a 422 when ``to`` is then not
        after ``from``)."""
        period = self.dates.in_zone(zone)
        return self.model_copy(
            update={
                "zone": zone,
                "date_from": period.start,
                "date_to": period.end - ONE_MS if period.end else None,
                "date_to_inclusive_day": False,
            }
        )


# -- parameter declarations (shared so every endpoint documents them the same way) ------------

QParam = Annotated[
    str | None,
    Query(
        max_length=MAX_Q_CHARS,
        description=(
            "Query: words (ranked; see match), \"phrases\", -word, -\"phrase\", OR, parentheses, and "
            "the prefixes title: source: tag: entity: lang: author:. Japanese is split into words; "
            "particles and other function words need not match, and an unquoted native verb also "
            "finds the nouns posts write for it, ranked lower (見分ける: 判別, 検出). Full-width and "
            "curly forms act like ASCII."
        ),
        openapi_examples={
            "words": {"summary": "words (ranked best match)", "value": "model welfare"},
            "japanese": {"summary": "Japanese without spaces", "value": "モデル福祉"},
            "version": {"summary": "a model version, exact", "value": "Opus 4.8"},
            "tag": {"summary": "a tag", "value": "tag:alignment"},
            "entity": {"summary": "an entity and its children", "value": "entity:anthropic"},
            "syntax": {"summary": "OR, phrase, exclusion", "value": '(agents OR エージェント) -"GPT-5"'},
        },
    ),
]


def _values(name: str, values: list[str] | None) -> list[str]:
    values = [v.strip() for v in values or [] if v and v.strip()]
    if len(values) > MAX_VALUES:
        raise invalid(name, f"at most {MAX_VALUES} values")
    for v in values:
        if len(v) > MAX_VALUE_CHARS:
            raise invalid(name, f"values are at most {MAX_VALUE_CHARS} characters")
    return values


def _entity_ids(values: list[str]) -> list[list[str]]:
    """Each ``entity=`` value as the ids it names (an id, or an alias of one or more)."""
    resolved: list[list[str]] = []
    for value in values:
        ids = entities.resolve(value)
        if not ids:
            raise invalid("entity", f"unknown entity {value!r} (see GET /v1/entities?q=)", value)
        resolved.append(ids)
    return resolved


def _tags(values: list[str]) -> list[str]:
    for t in values:
        if not tag_key(t):
            raise invalid("tag", f"tag {t!r} has no letters or digits", t)
    return values


def search_filters(
    date_from: Annotated[
        str | None,
        Query(alias="from", max_length=40,
              description=f"published on or after: a date or a date-time, on a day in {RANGE}",
              json_schema_extra=WHEN_SCHEMA, openapi_examples={"day": {"value": "2025-01-01"}}),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", max_length=40,
              description="published on or before: a date (the whole day counts) or a date-time, "
                          f"on a day in {RANGE}; not before from",
              json_schema_extra=WHEN_SCHEMA, openapi_examples={"day": {"value": "2026-12-31"}}),
    ] = None,
    source: Annotated[
        list[str] | None, Query(description="source name (repeatable: any)", json_schema_extra=_VALUES)
    ] = None,
    author: Annotated[
        list[str] | None, Query(description="author name (repeatable: any)", json_schema_extra=_VALUES)
    ] = None,
    lang: Annotated[list[Lang] | None, Query(description="language of the text (repeatable: any)")] = None,
    tag: Annotated[
        list[str] | None,
        Query(description="tag, any spelling, with a letter or a digit (repeatable; see tag_mode)",
              json_schema_extra=_TAGS,
              openapi_examples={"tag": {"value": ["model-welfare"]}}),
    ] = None,
    tag_mode: Annotated[Mode, Query(description="all: every tag= must be present; any: one")] = "all",
    exclude_tag: Annotated[
        list[str] | None, Query(description="leave out posts with this tag", json_schema_extra=_VALUES)
    ] = None,
    entity: Annotated[
        list[str] | None,
        Query(description="entity id or alias; posts naming it or one of its children "
                          "(repeatable; see entity_mode). The schema lists the ids; aliases work too",
              json_schema_extra=entity_values(MAX_VALUES),
              openapi_examples={"entity": {"value": ["anthropic"]}}),
    ] = None,
    entity_mode: Annotated[Mode, Query(description="all: every entity= must match; any: one")] = "all",
    entity_type: Annotated[
        list[str] | None,
        Query(description="posts naming an entity of this type (repeatable: any)", json_schema_extra=_VALUES),
    ] = None,
    min_importance: Annotated[int | None, Query(ge=1, le=5, description="importance 1-5 at least")] = None,
    doc_type: Annotated[list[DocType] | None, Query(description="kind of document (repeatable: any)")] = None,
    match: Annotated[
        MatchMode,
        Query(description="how many of q's content words and phrases a post needs: best (default: "
                          "one, ranked best match first: every word in the title or one passage "
                          "ranks highest); all (every one, strict AND); most (all of 1-2, then 75%, "
                          "rounded down); any (one). Field terms, exclusions and (groups) stay "
                          "required."),
    ] = DEFAULT_MATCH,
) -> SearchFilters:
    """FastAPI dependency: the filter parameters, validated and resolved."""
    dates = Dates(read("from", date_from), read("to", date_to))
    # in UTC until a tz places them (in_zone); to's whole day counts (date_to_inclusive_day)
    start = dates.start.first(UTC_ZONE) if dates.start else None
    end = dates.end.first(UTC_ZONE) if dates.end else None
    if start and end and start > end:
        raise invalid("to", "'to' is before 'from'", date_to)
    entity_values = _values("entity", entity)
    resolved = _entity_ids(entity_values)
    tags = _tags(_values("tag", tag))
    return SearchFilters(
        date_from=start,
        date_to=end,
        date_to_inclusive_day=bool(dates.end and dates.end.whole_day),
        source=_values("source", source),
        author=_values("author", author),
        lang=list(dict.fromkeys(lang or [])),
        tag=tags,
        tag_mode=tag_mode,
        exclude_tag=_values("exclude_tag", exclude_tag),
        entity=entity_values,
        entity_ids=resolved,
        entity_mode=entity_mode,
        entity_type=_values("entity_type", entity_type),
        min_importance=min_importance,
        doc_type=list(dict.fromkeys(doc_type or [])),
        match=match,
        dates=dates,
    )


def _in_loop(fn: Callable[..., SearchFilters]) -> Callable[..., Awaitable[SearchFilters]]:
    """``fn`` as a coroutine function with its signature. FastAPI runs a plain ``def``
    dependency in a worker thread; for this pure function of a few microseconds the hop (a
    queue, a lock, a wake-up) cost more than the work: 7 % of the API's CPU under load."""

    @functools.wraps(fn)
    async def call(*args: Any, **kwargs: Any) -> SearchFilters:
        return fn(*args, **kwargs)

    return call


# the route parameter of the filters, declared once for every route that takes them
Filters = Annotated[SearchFilters, Depends(_in_loop(search_filters))]


def filter_clauses(f: SearchFilters) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(filter, must_not) clauses of the filters."""
    out: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if f.date_from or f.date_to:
        rng: dict[str, Any] = {}
        if f.date_from:
            rng["gte"] = es_instant(f.date_from)
        if f.date_to:
            if f.date_to_inclusive_day:
                rng["lt"] = es_instant(f.date_to.replace(hour=0) + _ONE_DAY)
            else:
                rng["lte"] = es_instant(f.date_to)
        out.append({"range": {"published": rng}})
    if f.source:
        out.append({"terms": {"source_key": sorted({keyword_key(s) for s in f.source})}})
    if f.author:
        out.append({"terms": {"author_keys": sorted({keyword_key(a) for a in f.author})}})
    if f.lang:
        out.append({"terms": {"langs": list(f.lang)}})
    tags = list(dict.fromkeys(tag_key(t) for t in f.tag if tag_key(t)))
    if tags:
        if f.tag_mode == "any":
            out.append({"terms": {"tag_keys": tags}})
        else:
            out.extend({"term": {"tag_keys": t}} for t in tags)
    excluded = list(dict.fromkeys(tag_key(t) for t in f.exclude_tag if tag_key(t)))
    if excluded:
        must_not.append({"terms": {"tag_keys": excluded}})
    if f.entity_ids:
        clauses = [{"terms": {"entity_tree": ids}} for ids in f.entity_ids]
        if f.entity_mode == "any":
            out.append({"bool": {"should": clauses, "minimum_should_match": 1}})
        else:
            out.extend(clauses)
    if f.entity_type:
        out.append({"terms": {"entity_types": [t.strip().lower() for t in f.entity_type]}})
    if f.min_importance is not None:
        out.append({"range": {"importance": {"gte": f.min_importance}}})
    if f.doc_type:
        out.append({"terms": {"doc_type": list(f.doc_type)}})
    return out, must_not


def compile_search(
    q: str | None,
    filters: SearchFilters | None = None,
    common: frozenset[str] = frozenset(),
    shares: Mapping[str, float] | None = None,
) -> Compiled:
    """``q`` and the filters as one bool query, plus what highlighting needs (``common`` and
    ``shares``: see ``build.compile_tree``)."""
    match = filters.match if filters is not None else DEFAULT_MATCH
    compiled = compile_tree(parse(q or ""), match, common, shares)
    if filters is not None:
        extra, excluded = filter_clauses(filters)
        body = compiled.query["bool"]
        if extra:  # beside q's own filter clause (which posts q matches), never instead of it
            body["filter"] = [*body.get("filter", []), *extra]
        if excluded:
            body["must_not"] = [*body.get("must_not", []), *excluded]
    return compiled


def build_query(q: str | None, filters: SearchFilters | None = None) -> dict[str, Any]:
    """The Elasticsearch query for ``q`` and ``filters`` (no scoring blend, no sort)."""
    return compile_search(q, filters).query


def fingerprint(q: str | None, filters: SearchFilters, *extra: object) -> str:
    """A short digest of a query and its filters: cursors are bound to it."""
    payload = json.dumps([q or "", filters.fingerprint_data(), *extra], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

