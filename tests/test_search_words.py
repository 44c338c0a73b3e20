"""Words that weigh differently under ``match=best``, and the two-phase relevance page.

* Intent words (``使い方``, ``tutorial``) ask for a kind of post: a post about the topic needs
  not have them to rank in the top tier.
* Common words (in most posts of the index, like ``AI`` here) rank but do not make a post match
  alone beside rarer words; search, export and the timeline read ``q`` alike.
* A relevance page is rescored in two phases; it must give the order and the continuation a
  single-phase cursor walk gives.

Against a real node holding posts written here: every one says AI, a few are about farming,
LangGraph or how-tos of other tools.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch

from api.query.build import ALL_WORDS_BOOST, COORD_BOOST, COORD_IDF, INTENT_FACTOR, compile_q
from api.query.params import compile_search, search_filters
from api.query.term_stats import compile_matching
from indexer.analysis import is_intent_word, query_terms
from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile

_FILLER = [
    "AI models keep getting cheaper to run, and labs publish new benchmarks every week.",
    "A startup raised money to build AI chips for data centers.",
    "Regulators discussed AI safety rules for large language models.",
    "An AI lab released an open model with a permissive license.",
    "AI coding assistants changed how teams review pull requests.",
    "A survey asked developers which AI tools they use every day.",
    "AIの規制について各国の議論が続いている。",
    "生成AIを使った画像の著作権が議論されている。",
]


# the posts that are not filler, one per line: id | lang | title | published | source | body
_TOPICAL = """
farm-1 | en | AI for indoor farming | 2024-02-01 | Farm | Indoor farming uses AI to control light and water.
farm-2 | en | Robots on the farm | 2023-06-05 | Farm | Weeding robots with AI vision spread across farming.
farm-3 | en | Crop forecasts | 2022-09-09 | Farm | Farming cooperatives test AI models that forecast yields.
lg-1 | ja | LangGraphでAIエージェントを作る | 2025-03-03 | Dev | LangGraphでAIエージェントを設計した記録。
lg-2 | ja | LangGraphの使い方入門 | 2025-02-02 | Dev | LangGraphの使い方を基本から説明する。AIの例も示す。
howto-1 | ja | Pandasの使い方 | 2025-04-04 | Dev | Pandasの使い方をまとめた。AIの前処理にも使える。
howto-2 | ja | Excelの使い方 | 2025-05-05 | Dev | Excelの使い方の基本。AI機能も少しだけ触れる。
"""


def _posts() -> list[dict[str, Any]]:
    rows = [(f"filler-{i}", "ja" if "の" in text else "en", f"AI news {i}", f"2025-0{1 + i % 9}-1{i % 9}",
             "Filler", text) for i, text in enumerate(_FILLER)]
    keys = ("id", "lang", "title", "published", "source", "body")
    rows += [tuple(cell.strip() for cell in line.split("|")) for line in _TOPICAL.strip().splitlines()]
    return [dict(zip(keys, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def archive(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp: Path = tmp_path_factory.mktemp("words")
    path = tmp / "words.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in _posts()), encoding="utf-8")
    ensure_index(es, index_name)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_name, rejects).run([path])
    assert summary.rejected == 0 and summary.indexed == len(_posts())
    return index_name


async def search(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await api.get("/v1/search", params={"size": 50, "highlight": "false", **params})
    assert r.status_code == 200, r.text
    return r.json()


# -- intent words (no node) ------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "intent"), [("使い方", True), ("比較", True), ("tutorial", True),
                                              ("Tutorial", True), ("LangGraph", False), ("著作権", False)])
def test_intent_words_are_listed(word: str, intent: bool) -> None:
    assert is_intent_word(word) is intent


def _constants(node: Any) -> list[float]:
    """The boosts of the constant_score clauses in a query, wherever they are."""
    out: list[float] = []
    if isinstance(node, dict):
        if "constant_score" in node:
            out.append(float(node["constant_score"]["boost"]))
        for value in node.values():
            out.extend(_constants(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_constants(value))
    return out


def test_an_intent_word_weighs_less_and_is_not_needed_for_the_top_tier() -> None:
    compiled = compile_q("LangGraphの使い方")
    boosts = _constants(compiled.query)
    assert COORD_BOOST in boosts and round(COORD_BOOST * INTENT_FACTOR, 3) in boosts
    # the all-words tier holds only the topic word: one presence clause, not two
    tier = next(c for c in compiled.query["bool"]["should"]
                if c.get("constant_score", {}).get("boost") == ALL_WORDS_BOOST)
    assert len(tier["constant_score"]["filter"]["bool"]["filter"]) == 1
    # a query of intent words only weighs them as topic words
    assert round(COORD_BOOST * INTENT_FACTOR, 3) not in _constants(compile_q("使い方 比較").query)


async def test_posts_about_the_topic_outrank_how_tos_of_other_things(api: httpx.AsyncClient) -> None:
    ids = [h["id"] for h in (await search(api, q="LangGraphの使い方"))["hits"]]
    assert ids[0] == "lg-2"  # both words
    assert ids.index("lg-1") < ids.index("howto-1") and ids.index("lg-1") < ids.index("howto-2")


# -- common words ----------------------------------------------------------------------------------


async def test_a_common_word_does_not_match_alone_beside_rarer_words(api: httpx.AsyncClient) -> None:
    body = await search(api, q="AI in farming")
    assert body["query"]["common_words"] == ["AI"]
    assert {h["id"] for h in body["hits"]} == {"farm-1", "farm-2", "farm-3"} and body["total"] == 3
    # alone, a common word matches as any other
    alone = await search(api, q="AI")
    assert alone["total"] == len(_posts()) and alone["query"]["common_words"] == []
    # beside words no post has, a common word matches as any other: never an empty answer,
    # and the word that is in no post is named
    unknown = await search(api, q="AI xyzzyplugh")
    assert unknown["total"] == len(_posts()) and unknown["query"]["common_words"] == []
    assert unknown["query"]["warnings"] == [
        {"message": "no post has 'xyzzyplugh': the results match the other words", "position": 3}]
    # a word found only in a title is in the archive: no such warning
    assert (await search(api, q="AI crop"))["query"]["warnings"] == []
    # the other modes keep their own rule
    assert (await search(api, q="AI farming", match="any"))["total"] == len(_posts())
    assert (await search(api, q="AI farming", match="all"))["total"] == 3


async def test_search_export_and_timeline_agree_on_common_words(api: httpx.AsyncClient) -> None:
    q = "AI in farming"
    total = (await search(api, q=q))["total"]
    r = await api.get("/v1/export", params={"q": q, "fields": "id"})
    assert r.status_code == 200 and len([line for line in r.text.split("\n") if line]) == total
    r = await api.get("/v1/trends/timeline", params={"q": q, "interval": "year"})
    assert r.status_code == 200 and r.json()["total"] == total
    r = await api.get("/v1/trends/timeline", params={"q": "Indoor", "interval": "year", "compare": q})
    assert r.status_code == 200
    compare = next(s for s in r.json()["series"] if s["q"] == q)
    assert compare["total"] == 1  # farm-1: Indoor and farming (AI alone would not do)


# -- the two-phase relevance page --------------------------------------------------------------------


async def walk(api: httpx.AsyncClient, size: int, cursor: str, **params: Any) -> list[str]:
    """The ids of a cursor walk from ``cursor``; every page states the same total."""
    ids: list[str] = []
    totals: set[int] = set()
    while cursor:
        body = await search(api, size=size, cursor=cursor, **params)
        ids.extend(h["id"] for h in body["hits"])
        totals.add(body["total"])
        cursor = body["next_cursor"]
    assert len(totals) <= 1, totals
    return ids


@pytest.mark.parametrize("q", ["AI agents farming", "LangGraphの使い方", "AI models"])
async def test_a_rescored_page_ranks_as_a_single_phase_walk(api: httpx.AsyncClient, q: str) -> None:
    paged = await search(api, q=q)
    walked = await walk(api, 3, "*", q=q)  # cursor pages: one phase, sorted with tiebreakers
    assert [h["id"] for h in paged["hits"]] == walked and len(walked) == paged["total"]
    # a rescored page's next_cursor continues where it stopped, without repeats or gaps
    first = await search(api, q=q, size=3)
    rest = await walk(api, 3, first["next_cursor"], q=q) if first["next_cursor"] else []
    assert [h["id"] for h in first["hits"]] + rest == walked
    if first["next_cursor"]:
        second = await search(api, q=q, size=3, cursor=first["next_cursor"])
        assert second["total"] == first["total"] == paged["total"]


# -- rarer words weigh more in the coordination score ------------------------------------------------


def _coordination(compiled: Any) -> dict[str, float]:
    """Each top-level word's coordination boost (its presence clause), by the word's text."""
    out: dict[str, float] = {}
    clauses = compiled.query["bool"]["must"][0]["bool"]["should"]
    for clause, term in zip(clauses, compiled.highlight, strict=True):
        out[term.text] = float(clause["constant_score"]["boost"])
    return out


def test_a_rarer_word_weighs_more_in_the_coordination_score() -> None:
    pandas, farming = query_terms("Pandas").bases, query_terms("farming").bases  # shares are of lemmas
    shares = {pandas: 0.001, farming: 0.2}
    weighed = _coordination(compile_search("Pandas farming", None, frozenset(), shares))
    assert weighed["Pandas"] > COORD_BOOST > weighed["farming"]
    # ratio of the weights: the ratio of the words' idf to the power COORD_IDF
    idf = {w: math.log1p((1 - s + 1e-6) / s) for w, s in shares.items()}
    expected = (idf[pandas] / idf[farming]) ** COORD_IDF
    assert weighed["Pandas"] / weighed["farming"] == pytest.approx(expected, rel=0.01)
    # without shares, or with only one word known, every word counts alike
    assert set(_coordination(compile_search("Pandas farming")).values()) == {COORD_BOOST}
    one_known = compile_search("Pandas farming", None, frozenset(), {pandas: 0.01})
    assert set(_coordination(one_known).values()) == {COORD_BOOST}


async def test_the_api_weighs_words_by_the_index_own_counts(index_settings: Settings, archive: str) -> None:
    es = AsyncElasticsearch(**index_settings.es_client_kwargs())  # type: ignore[arg-type]
    try:
        compiled = await compile_matching(es, index_settings, "Pandas farming", search_filters())
    finally:
        await es.close()
    weighed = _coordination(compiled)  # one post says Pandas, three say farming
    assert weighed["Pandas"] > weighed["farming"]
