"""One analytics request: ``q`` and the filters of /v1/search, read in a time zone, the echo
of it that every answer carries (``AnsweredQuery``), and ``analyze``, the whole of an
analytics endpoint once its own parameters are read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from elasticsearch import AsyncElasticsearch
from fastapi import Request, Response
from pydantic import BaseModel

from api.analytics.models import AnsweredQuery
from api.analytics.respond import Table, answer, query_string
from api.errors import invalid
from api.models import QueryWarning
from api.present.entity import entity_ref
from api.query import term_stats
from api.query.build import DEFAULT_MATCH, Compiled
from api.query.params import SearchFilters, compile_search
from api.query.period import ONE_MS, Dates, Period, Zone, iso, parse_tz
from api.query.syntax import QuerySyntaxError
from indexer.config import Settings

# filter parameters of /v1/search, in the order they are echoed
FILTER_PARAMS = (
    "source",
    "author",
    "lang",
    "tag",
    "tag_mode",
    "exclude_tag",
    "entity",
    "entity_mode",
    "entity_type",
    "min_importance",
    "doc_type",
    "match",
)
_DEFAULT_MODES = {"tag_mode": "all", "entity_mode": "all", "match": DEFAULT_MATCH}


@dataclass
class Ask:
    q: str | None
    filters: SearchFilters  # without dates: the period holds them
    zone: Zone
    period: Period
    compiled: Compiled  # q and the filters, no period

    def query(self, period: Period | None = None, *extra: dict[str, Any]) -> dict[str, Any]:
        """q, the filters, the period (``self.period`` unless given) and ``extra`` clauses."""
        clauses: list[dict[str, Any]] = [self.compiled.query]
        rng = (period or self.period).clause()
        if rng is not None:
            clauses.append(rng)
        clauses.extend(extra)
        return {"bool": {"filter": clauses}}

    def filter_pairs(self) -> list[tuple[str, Any]]:
        data = self.filters.model_dump(mode="json")
        out: list[tuple[str, Any]] = []
        for name in FILTER_PARAMS:
            value = data.get(name)
            if name in _DEFAULT_MODES and value == _DEFAULT_MODES[name]:
                continue
            out.append((name, value))
        return [(k, v) for k, v in out if v not in (None, "", [])]

    def filters_echo(self) -> dict[str, Any]:
        return dict(self.filter_pairs())


def ask(q: str | None, filters: SearchFilters, tz: str | None, period: Period | None = None) -> Ask:
    """The request in ``tz`` (default Asia/Tokyo): the period is ``from``/``to`` as
    ``search_filters`` parsed them, placed in that zone (unless ``period`` is given)."""
    zone = parse_tz(tz)
    if period is None:
        period = filters.dates.in_zone(zone)
    undated = filters.model_copy(
        update={"date_from": None, "date_to": None, "date_to_inclusive_day": False, "dates": Dates()}
    )
    return Ask(q=q, filters=undated, zone=zone, period=period, compiled=compile_search(q, undated))


def compile_extra(name: str, text: str, match: str = DEFAULT_MATCH) -> Compiled:
    """Another query (compare=), read with the request's ``match``: its syntax errors are
    errors of that parameter (422)."""
    try:
        return compile_search(text, SearchFilters(match=match))
    except QuerySyntaxError as exc:
        raise invalid(name, f"{exc} (in {text!r})", text) from None


async def with_common_words(es: AsyncElasticsearch, settings: Settings, a: Ask) -> Ask:
    """``a`` with q's common words matching only beside its rarer ones, as /v1/search reads q
    (``api.query.term_stats``): a count and its ``search`` link find the same posts."""
    a.compiled = await term_stats.with_common_words(es, settings, a.compiled, a.q, a.filters)
    return a


async def compile_extra_common(
    es: AsyncElasticsearch, settings: Settings, name: str, text: str, match: str = DEFAULT_MATCH
) -> Compiled:
    """``compile_extra`` with the common words read as in ``with_common_words``."""
    return await term_stats.with_common_words(
        es, settings, compile_extra(name, text, match), text, SearchFilters(match=match)
    )


def _period_pairs(a: Ask, period: Period) -> list[tuple[str, Any]]:
    return [
        ("from", iso(period.start, a.zone) if period.start else None),
        ("to", iso(period.end - ONE_MS, a.zone) if period.end else None),
    ]


def answered(
    a: Ask,
    path: str,
    params: list[tuple[str, Any]],
    period: Period | None = None,
    extra_compiled: list[Compiled] | None = None,
    links: Period | None = None,
) -> AnsweredQuery:
    """The echo: ``params`` are the endpoint's own, in order, defaults applied. ``period`` is
    the one answered (start, end); ``links`` the one ``canonical`` and ``search`` send (by
    default the same)."""
    period = period or a.period
    links = links or period
    compiled_all = (a.compiled, *(extra_compiled or []))
    entity_ids = dict.fromkeys(i for compiled in compiled_all for i in compiled.entity_ids)
    warnings: list[QueryWarning] = []
    for compiled in compiled_all:
        warnings.extend(QueryWarning(message=w.message, position=w.position) for w in compiled.warnings)
    base = [("q", a.q), *_period_pairs(a, links), *a.filter_pairs()]
    canonical = query_string([*base, ("tz", a.zone.name), *params])
    return AnsweredQuery(
        q=a.q,
        filters=a.filters_echo(),
        tz=a.zone.name,
        start=iso(period.start, a.zone) if period.start else None,
        end=iso(period.end, a.zone) if period.end else None,
        params=dict(params),
        entities=[entity_ref(i) for i in entity_ids],
        warnings=warnings,
        canonical=f"{path}?{canonical}",
        search=f"/v1/search?{query_string(base)}",
    )


class EndpointParams(Protocol):
    """An endpoint's own parameters, read and checked (``TimelineParams``, ``TopParams``, ...)."""

    @property
    def format(self) -> str: ...


P = TypeVar("P", bound=EndpointParams)
Body = TypeVar("Body", bound=BaseModel)


async def analyze(
    request: Request,
    es: AsyncElasticsearch,
    settings: Settings,
    q: str | None,
    filters: SearchFilters,
    tz: str | None,
    params: P,
    run: Callable[[AsyncElasticsearch, Settings, Ask, P], Awaitable[Body]],
    table: Callable[[Body], Table],
) -> Response:
    """``run`` over the request in ``tz``, answered as JSON or, with format=csv, as ``table``:
    every analytics endpoint is this, after reading its own parameters into ``params``."""
    body = await run(es, settings, await with_common_words(es, settings, ask(q, filters, tz)), params)
    return answer(request, body, params.format, table)
