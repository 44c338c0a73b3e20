"""The mixed query set of the query bench, and the exact Elasticsearch request the API
sends for each (built in-process with the API's own functions)."""

from __future__ import annotations

from typing import Any

from api.backend import search_timeout
from api.query.build import Compiled
from api.query.params import SearchFilters, search_filters
from api.query.search_request import search_request
from indexer.config import Settings

ALL_FACETS = "tags,entities,sources,langs,months"

# (kind, params of GET /v1/search); highlight is off except for the "highlighted" kind, so
# that kind shows what highlighting costs
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("ja", {"q": "生成AI 著作権"}),
    ("ja", {"q": "ローカルLLM"}),
    ("ja", {"q": "自動運転"}),
    ("en", {"q": "facial recognition"}),
    ("en", {"q": "humanoid robot"}),
    ("en", {"q": "open source model"}),
    ("phrase", {"q": '"reinforcement learning"'}),
    ("phrase", {"q": '"Claude Code"'}),
    ("phrase", {"q": '"画像生成"'}),
    ("filtered", {"q": "Gemini", "lang": "ja", "from": "2025-06-01"}),
    ("filtered", {"q": "OpenAI", "tag": "llm"}),
    ("filtered", {"q": "agents", "doc_type": "news_item", "to": "2024-12-31"}),
    ("faceted", {"q": "Anthropic", "facets": ALL_FACETS}),
    ("faceted", {"q": "生成AI", "facets": "tags,months"}),
    ("highlighted", {"q": "GPT-4o", "highlight": "true"}),
    ("highlighted", {"q": "ファインチューニング", "highlight": "true"}),
    ("highlighted", {"q": "copyright lawsuit", "highlight": "true"}),
]

_FILTER_ARGS = ("source", "author", "lang", "tag", "exclude_tag", "entity", "entity_type", "doc_type")


def api_params(params: dict[str, Any], size: int = 10) -> dict[str, Any]:
    out = {"size": size, "highlight": "false", **params}
    return out


def _listed(value: Any) -> list[str] | None:
    if value is None:
        return None
    return list(value) if isinstance(value, (list, tuple)) else [str(value)]


def filters_of(params: dict[str, Any]) -> SearchFilters:
    return search_filters(
        date_from=params.get("from"),
        date_to=params.get("to"),
        tag_mode=params.get("tag_mode", "all"),
        entity_mode=params.get("entity_mode", "all"),
        min_importance=params.get("min_importance"),
        **{name: _listed(params.get(name)) for name in _FILTER_ARGS},
    )


def es_body(
    params: dict[str, Any], settings: Settings, size: int = 10, compiled: Compiled | None = None
) -> dict[str, Any]:
    """The body ``GET /v1/search`` sends for ``api_params(params)`` (relevance sort, page 1);
    ``compiled``: the query as the API compiles it with the index's common words
    (``term_stats.compile_matching``), else without them."""
    names = [n.strip() for n in str(params.get("facets") or "").split(",") if n.strip()]
    highlight = str(api_params(params)["highlight"]).lower() == "true"
    request = search_request(params.get("q"), filters_of(params), "relevance", size, search_timeout(settings),
                             highlight=highlight, facets=names, facet_size=int(params.get("facet_size", 10)),
                             compiled=compiled)
    return request.body(now_ms=None, rescore=True)  # a first page, recency from Elasticsearch's "now"
