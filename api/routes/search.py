"""``GET /v1/search``: the query language, filters, facets, highlights, pages and cursors.

Sorts and the relevance blend: ``api.query.sort``. Paging: ``page``/``size`` (size ≤ 100)
reach the first 10,000 hits. Past that, or for a stable walk through everything, use
``cursor``: ``cursor=*`` starts one (a point-in-time snapshot of the index), each response
gives ``next_cursor`` until the last page. Send the same ``q``, filters and ``sort`` with the
cursor. A cursor whose snapshot expired (after 5 minutes unused) still works: a new snapshot
is opened and the walk continues after the last hit delivered. Cursors are signed
(``AIPOSTS_CURSOR_KEY``) and bound to the query and to the concrete indices behind the alias:
an altered cursor, or one for another query or index, is a 422 on ``cursor``
(``api.query.paging``).

The route reads the parameters; ``api.query.search_request`` builds the Elasticsearch body,
``api.query.paging`` fetches the page and ``api.present.search_response`` answers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.backend import search_timeout
from api.errors import ERROR_RESPONSES
from api.es import Conf, Es
from api.models import SearchResponse
from api.present import facets as facet_mod
from api.present.search_response import search_response
from api.query.paging import MAX_WINDOW, fetch_page
from api.query.params import Filters, QParam
from api.query.schema import CURSOR_SCHEMA, comma_list
from api.query.search_request import facet_names, search_request
from api.query.sort import SortName
from api.query.term_stats import compile_matching
from api.query.zone import TzParam, zoned
from api.security import require_api_key

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[Depends(require_api_key)])

SortParam = Annotated[
    SortName, Query(description="relevance (blended), -date (newest first), date, importance")
]
PageParam = Annotated[
    int, Query(ge=1, le=MAX_WINDOW, description="1-based page; page × size may not pass 10,000 (422)")
]
SizeParam = Annotated[int, Query(ge=1, le=100, description="hits per page")]
CursorParam = Annotated[
    str | None,
    Query(max_length=8192, json_schema_extra=CURSOR_SCHEMA,
          description="'*' to start deep paging, then the next_cursor of the last page (opaque: "
          "only a next_cursor this API issued for the same q, filters and sort is accepted)"),
]
FacetsParam = Annotated[
    list[str] | None,
    Query(description="comma-separated: tags, entities, sources, langs, months",
          json_schema_extra=comma_list(facet_mod.FACETS),
          openapi_examples={"all": {"value": ["tags,entities,sources,langs,months"]}}),
]
FacetSizeParam = Annotated[int, Query(ge=1, le=facet_mod.MAX_FACET_SIZE, description="buckets per facet")]
HighlightParam = Annotated[bool, Query(description="snippets of the original text with matches marked")]


@router.get(
    "/search",
    response_model=SearchResponse,
    response_model_exclude_none=False,
    responses=ERROR_RESPONSES,
    summary="Search posts",
)
async def search(
    es: Es,
    settings: Conf,
    filters: Filters,
    q: QParam = None,
    sort: SortParam = "relevance",
    page: PageParam = 1,
    size: SizeParam = 10,
    cursor: CursorParam = None,
    facets: FacetsParam = None,
    facet_size: FacetSizeParam = 10,
    highlight: HighlightParam = True,
    tz: TzParam = None,
) -> SearchResponse:
    names = facet_names(facets)
    filters = zoned(filters, tz)  # the filters carry the parsed from/to, and the zone
    compiled = await compile_matching(es, settings, q, filters)
    plan = search_request(q, filters, sort, size, search_timeout(settings), highlight=highlight,
                          facets=names, facet_size=facet_size, compiled=compiled)
    found = await fetch_page(es, settings, plan, page, cursor)
    return search_response(plan, found, page=None if cursor is not None else page)
