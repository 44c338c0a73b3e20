"""The sorts of ``/v1/search`` and the relevance blend.

Every sort ends with a unique tiebreaker (``id``), so pages never overlap or skip.

* ``relevance`` (default): text score blended with recency and importance, then newest, then
  id. The blend is ``score × (1 + RECENCY_WEIGHT·recency + IMPORTANCE_WEIGHT·log10(1 +
  importance))`` where ``recency`` is a Gaussian decay on ``published`` (1 at now, 0.5 at one
  year). Without words in ``q`` the text score is constant, so the order is recency and
  importance.
* ``-date``: newest first; ``date``: oldest first; ``importance``: most important first, then
  newest. Undated posts come last.

The weights are read when ``blended`` is called, so ``bench.relevance.tune`` can try values
by setting them on this module.
"""

from __future__ import annotations

from typing import Any, Literal

from api.present.cursor import SortKind

SortName = Literal["relevance", "date", "-date", "importance"]
RECENCY_WEIGHT = 0.1
IMPORTANCE_WEIGHT = 0.3

_PUBLISHED_DESC = {"published": {"order": "desc", "missing": "_last"}}
SORTS: dict[str, list[dict[str, Any]]] = {
    "relevance": [{"_score": {"order": "desc"}}, _PUBLISHED_DESC, {"id": {"order": "asc"}}],
    "-date": [_PUBLISHED_DESC, {"id": {"order": "asc"}}],
    "date": [{"published": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}],
    "importance": [
        {"importance": {"order": "desc", "missing": "_last"}},
        _PUBLISHED_DESC,
        {"id": {"order": "asc"}},
    ],
}
# what each sort's search_after values are (a cursor's are checked against them)
SORT_KINDS: dict[str, tuple[SortKind, ...]] = {
    "relevance": ("score", "long", "keyword"),
    "-date": ("long", "keyword"),
    "date": ("long", "keyword"),
    "importance": ("int", "long", "keyword"),
}


def blended(query: dict[str, Any], now_ms: int | None = None) -> dict[str, Any]:
    """The relevance blend (see the module docstring); only core function_score features.
    ``now_ms`` pins the recency origin: every page of a cursor walk scores with the same "now",
    else a hit's score moves by a rounding step between pages and search_after repeats or
    skips it."""
    return {"function_score": {"query": query, "functions": _blend(now_ms), "score_mode": "sum",
                               "boost_mode": "multiply"}}


def blend_factor(now_ms: int | None = None) -> dict[str, Any]:
    """The blend's factor alone (``1 + …``), as a query whose score is that factor: a rescore
    that multiplies by it gives the same score as ``blended``."""
    return {"function_score": {"query": {"match_all": {}}, "functions": _blend(now_ms), "score_mode": "sum",
                               "boost_mode": "replace"}}


def _blend(now_ms: int | None) -> list[dict[str, Any]]:
    return [
        {"weight": 1},
        {
            "filter": {"exists": {"field": "published"}},
            "gauss": {"published": {"origin": "now" if now_ms is None else str(now_ms),
                                    "scale": "365d", "decay": 0.5}},
            "weight": RECENCY_WEIGHT,
        },
        {
            "filter": {"exists": {"field": "importance"}},
            "field_value_factor": {"field": "importance", "modifier": "log1p", "missing": 0},
            "weight": IMPORTANCE_WEIGHT,
        },
    ]
