"""A ``/v1/search`` request as Elasticsearch reads it: ``q`` and the filters compiled, the sort
and the relevance blend, facets and highlighting. No I/O here: how a page is fetched (page/size
or a cursor) is ``api.query.paging``'s job, the response ``api.present.search_response``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.present import facets as facet_mod
from api.present.hits import HIT_SOURCE, LIST_SOURCE
from api.query.build import Compiled, passage_hits, split_passages
from api.query.choices import chosen
from api.query.params import SearchFilters, compile_search, fingerprint
from api.query.sort import SORTS, SortName, blend_factor, blended

# A relevance page is found in two phases: every matching post is scored without its passages
# and without the blend, then the best RESCORE_WINDOW are rescored with both (the same score a
# one-phase query gives them: ``(first + passages) × blend``). The passages are the costly part
# (a nested query over every passage that holds a common word); measured in bench/query.
RESCORE_WINDOW = 500  # measured: 200 lost 0.01 nDCG@10 (en, cross) on the tuning half, 500 none


def facet_names(raw: list[str] | None) -> list[str]:
    """The facets asked for (``facets=``, comma-separated, any case)."""
    return chosen("facets", raw, facet_mod.FACETS, "facet", lower=True)


@dataclass(frozen=True)
class SearchRequest:
    q: str | None
    compiled: Compiled
    query: dict[str, Any]  # the compiled query, asking for each hit's best passage when highlighting
    fingerprint: str  # of q, filters and sort: a cursor continues only its own query
    sort: SortName
    size: int
    match: str
    timeout: str  # Elasticsearch's own time limit (``backend.search_timeout``)
    highlight: bool = True
    facets: list[str] = field(default_factory=list)
    facet_size: int = 10
    time_zone: str = "UTC"  # of the months facet

    def body(self, now_ms: int | None, rescore: bool = False) -> dict[str, Any]:
        """The search body of one page; ``now_ms`` is the recency origin of the blend.
        ``rescore``: a relevance page in two phases (see RESCORE_WINDOW). Elasticsearch allows
        no other sort than the score then, so a cursor walk (``search_after``) uses one phase."""
        body: dict[str, Any] = {
            "query": blended(self.query, now_ms) if self.sort == "relevance" else self.query,
            "sort": SORTS[self.sort],
            "size": self.size,
            "track_total_hits": True,
            "source": HIT_SOURCE if self.highlight else LIST_SOURCE,
            "timeout": self.timeout,
        }
        first, passages = split_passages(self.compiled.query) if rescore else (None, None)
        if self.sort == "relevance" and first is not None and passages is not None:
            del body["sort"]  # the score alone (ties: Elasticsearch's order)
            body["query"] = first
            body["rescore"] = [
                {"window_size": RESCORE_WINDOW, "query": {"rescore_query": passages, "score_mode": "total"}},
                {"window_size": RESCORE_WINDOW,
                 "query": {"rescore_query": blend_factor(now_ms), "score_mode": "multiply"}},
            ]
        if self.facets:
            body["aggs"] = facet_mod.aggregations(self.facets, self.facet_size, self.time_zone)
        return body


def search_request(
    q: str | None,
    filters: SearchFilters,
    sort: SortName,
    size: int,
    timeout: str,
    *,
    highlight: bool = True,
    facets: list[str] | None = None,
    facet_size: int = 10,
    compiled: Compiled | None = None,
) -> SearchRequest:
    """``q`` and the filters compiled (a syntax error is a 400) into the request; ``compiled``:
    that compilation when the caller made it already (``term_stats.compile_matching``)."""
    if compiled is None:
        compiled = compile_search(q, filters)
    return SearchRequest(
        q=q,
        compiled=compiled,
        query=passage_hits(compiled.query) if highlight else compiled.query,
        fingerprint=fingerprint(q, filters, sort),
        sort=sort,
        size=size,
        match=filters.match,
        timeout=timeout,
        highlight=highlight,
        facets=list(facets or []),
        facet_size=facet_size,
        time_zone=filters.zone.name if filters.zone else "UTC",  # the zone of from/to (tz)
    )

