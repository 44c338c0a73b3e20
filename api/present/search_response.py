"""A page of ``/v1/search`` hits as the response: hits with highlights, facets, and what the
query understood (entities named, parts repaired, why nothing matched)."""

from __future__ import annotations

from api.backend import shards_partial
from api.models import QueryInfo, QueryWarning, SearchResponse
from api.present import facets as facet_mod
from api.present.entity import entity_ref
from api.present.highlight import Highlighter
from api.present.hits import to_hit
from api.query.build import Compiled
from api.query.paging import Page
from api.query.search_request import SearchRequest


def _empty_reason(compiled: Compiled, match: str) -> QueryWarning:
    """Why a query with words came back empty: said in ``query.warnings``, never silently."""
    words = ", ".join(t.text for t in compiled.highlight[:8])
    if match in ("all", "most"):
        return QueryWarning(message=f"no post has {'all' if match == 'all' else 'enough'} of the words "
                            f"({words}) with these filters; match=best ranks posts with some of them",
                            position=0)
    return QueryWarning(message=f"no post has any of the words ({words}) with these filters", position=0)


def query_info(q: str | None, compiled: Compiled, match: str, empty: bool = False) -> QueryInfo:
    return QueryInfo(
        q=q,
        match=match,
        common_words=compiled.common_words,
        entities=[entity_ref(i) for i in compiled.entity_ids],
        warnings=[QueryWarning(message=w.message, position=w.position) for w in compiled.warnings]
        + ([_empty_reason(compiled, match)] if empty and compiled.scored else []),
    )


def search_response(search: SearchRequest, found: Page, page: int | None) -> SearchResponse:
    """The response for ``found``; ``page`` is None in cursor mode."""
    resp = found.reply
    total = found.total
    compiled = search.compiled
    highlighter = Highlighter(compiled.marks, compiled.entity_ids) if search.highlight else None
    return SearchResponse(
        total=total,
        took_ms=int(resp.get("took", 0)),
        timed_out=bool(resp.get("timed_out")),
        partial=shards_partial(resp),
        page=page,
        size=search.size,
        sort=search.sort,
        hits=[to_hit(h, highlighter, with_score=search.sort == "relevance") for h in resp["hits"]["hits"]],
        next_cursor=found.next_cursor,
        facets=facet_mod.parse(search.facets, resp.get("aggregations") or {}) if search.facets else None,
        query=query_info(search.q, compiled, search.match, empty=total == 0 and found.seen == 0),
    )
