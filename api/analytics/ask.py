"""One analytics request: ``q`` and the filters of /v1/search, read in a time zone, and the
echo of it that every answer carries (``AnsweredQuery``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from api.analytics.models import AnsweredQuery
from api.analytics.period import ONE_MS, Period, Zone, invalid, iso, parse_tz, period_from_params
from api.analytics.respond import query_string
from api.models import EntityRef, QueryWarning
from api.query import entities
from api.query.build import DEFAULT_MATCH, Compiled
from api.query.params import SearchFilters, compile_search
from api.query.syntax import QuerySyntaxError

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


def ask(
    request: Request, q: str | None, filters: SearchFilters, tz: str | None, period: Period | None = None
) -> Ask:
    """Reads ``from``/``to`` again, in ``tz`` (search_filters read them in UTC)."""
    zone = parse_tz(tz)
    if period is None:
        period = period_from_params(request.query_params.get("from"), request.query_params.get("to"), zone)
    undated = filters.model_copy(update={"date_from": None, "date_to": None, "date_to_inclusive_day": False})
    return Ask(q=q, filters=undated, zone=zone, period=period, compiled=compile_search(q, undated))


def compile_extra(name: str, text: str, match: str = DEFAULT_MATCH) -> Compiled:
    """Another query (compare=), read with the request's ``match``: its syntax errors are
    errors of that parameter (422)."""
    try:
        return compile_search(text, SearchFilters(match=match))
    except QuerySyntaxError as exc:
        raise invalid(name, f"{exc} (in {text!r})", text) from None


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
    refs: list[EntityRef] = []
    warnings: list[QueryWarning] = []
    for compiled in (a.compiled, *(extra_compiled or [])):
        for entity_id in compiled.entity_ids:
            if any(r.id == entity_id for r in refs):
                continue
            info = entities.describe(entity_id)
            refs.append(
                EntityRef(id=entity_id, name=info.name if info else None, type=info.type if info else None)
            )
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
        entities=refs,
        warnings=warnings,
        canonical=f"{path}?{canonical}",
        search=f"/v1/search?{query_string(base)}",
    )
