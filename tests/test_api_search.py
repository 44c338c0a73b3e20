"""/v1/search, /v1/posts, /v1/tags and /v1/entities against a real Elasticsearch holding the
sample archive and the two seed pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import SAMPLES, SEED_FULL, SEED_SHORT, expected_samples

EXPECTED = expected_samples()
OPUS_48_TITLES = {p["title"] for p in EXPECTED["mentions_opus_4_8"]}
OPUS_47_49_TITLES = {p["title"] for p in EXPECTED["mentions_opus_4_7_or_4_9_but_not_4_8"]}
SEED_IDS = {"4290f064b0d01753", "cfd12810acb2d063"}


@pytest.fixture(scope="module")
def archive(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    ensure_index(es, index_name)
    tmp: Path = tmp_path_factory.mktemp("api-archive")
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_name, rejects, workers=1).run([SAMPLES, SEED_FULL, SEED_SHORT])
    assert summary.rejected == 0 and summary.indexed == EXPECTED["total_posts"] + 2
    return index_name


async def search(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    params.setdefault("size", 100)
    r = await api.get("/v1/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def titles(body: dict[str, Any]) -> set[str]:
    return {h["title"] for h in body["hits"]}


def all_titles(body: dict[str, Any]) -> set[str]:
    return {t for h in body["hits"] for t in h["titles"].values()}


# -- the five queries -------------------------------------------------------------------


async def test_model_welfare_in_english_finds_both_languages(api: httpx.AsyncClient) -> None:
    body = await search(api, q="model welfare")
    assert body["total"] >= 5
    langs = {h["lang"] for h in body["hits"]}
    assert "en" in langs and ({"ja", "both"} & langs)
    top = body["hits"][0]
    assert any(s["field"] == "title" for s in top["highlights"])


async def test_topic_entity_bridges_languages(api: httpx.AsyncClient) -> None:
    """'model welfare' reaches posts that only say モデル福祉, and the reverse, through the topic."""
    english = await search(api, q="model welfare")
    japanese = await search(api, q="モデル福祉")
    assert [e["id"] for e in english["query"]["entities"]] == ["model-welfare"]
    assert [e["id"] for e in japanese["query"]["entities"]] == ["model-welfare"]
    ja_only = {h["id"] for h in english["hits"] if h["lang"] == "ja"}
    assert ja_only, "no Japanese-only post found by the English words"
    en_only = {h["id"] for h in japanese["hits"] if h["lang"] == "en"}
    assert en_only, "no English-only post found by the Japanese words"


async def test_japanese_without_spaces(api: httpx.AsyncClient) -> None:
    body = await search(api, q="モデル福祉")
    assert "モデル福祉をめぐる議論の整理:Opus 4.8 とミソスの報告から" in titles(body)
    for hit in body["hits"]:
        marks = [s["text"][a:b] for s in hit["highlights"] for a, b in s["marks"]]
        assert marks, hit["title"]
    first = body["hits"][0]
    snippet = next(s for s in first["highlights"] if s["marks"])
    assert "<mark>モデル福祉</mark>" in snippet["html"] or "<mark>" in snippet["html"]


async def test_version_precision(api: httpx.AsyncClient) -> None:
    body = await search(api, q="Opus 4.8")
    found = all_titles(body)
    assert not (found & OPUS_47_49_TITLES - OPUS_48_TITLES), found & OPUS_47_49_TITLES
    # every sample post that says "Opus 4.8" in its own text is found
    assert len(found & OPUS_48_TITLES) >= 7
    assert {"What changed in the Opus 4.8 welfare section", "A week of agent work with Opus 4.8",
            "アンソロピック、Claude Opus 4.8 を公開"} <= found
    other = await search(api, q="Opus 4.7")
    assert "Opus 4.7 速報:SWE-bench Verified で自己最高を更新" in all_titles(other)
    assert "アンソロピック、Claude Opus 4.8 を公開" not in all_titles(other)


async def test_tag_query_normalizes_spellings(api: httpx.AsyncClient) -> None:
    body = await search(api, q="tag:model-welfare")
    spellings = {t["display"] for h in body["hits"] for t in h["tags"] if t["key"] == "model-welfare"}
    assert {"Model Welfare", "Model-Welfare", "model welfare", "model_welfare"} <= spellings
    same = await search(api, q='tag:"Model Welfare"')
    assert same["total"] == body["total"]
    wide = await search(api, q="ｔａｇ：ＭＯＤＥＬ＿ＷＥＬＦＡＲＥ")
    assert wide["total"] == body["total"]


async def test_entity_query_includes_children(api: httpx.AsyncClient) -> None:
    body = await search(api, q="entity:anthropic")
    found = all_titles(body)
    assert "Opus 4.7 と GPT-5.1 でコードレビューを比べてみた" in found  # via Claude Opus 4.7
    assert "Anthropic ships Opus 4.9 with longer agent runs" in found
    assert body["total"] >= 10


async def test_cross_lingual_entity_recall(api: httpx.AsyncClient) -> None:
    latin = await search(api, q="Anthropic")
    kana = await search(api, q="アンソロピック")
    ids_latin = {h["id"] for h in latin["hits"]}
    ids_kana = {h["id"] for h in kana["hits"]}
    # both spellings find posts in both languages, whatever the post wrote
    assert {h["lang"] for h in latin["hits"]} >= {"ja", "en"}
    assert ids_latin == ids_kana
    assert any(e["id"] == "anthropic" for e in kana["query"]["entities"])
    # a Japanese post that writes only アンソロピック gets its mention marked
    ja_only = [h for h in latin["hits"] if h["lang"] == "ja"]
    marks = [s["text"][a:b] for h in ja_only for s in h["highlights"] for a, b in s["marks"]]
    assert "アンソロピック" in marks


# -- query language ------------------------------------------------------------------------------


async def test_and_or_exclusion_and_parentheses(api: httpx.AsyncClient) -> None:
    both = await search(api, q="welfare agents", match="all")
    welfare = await search(api, q="welfare")
    agents = await search(api, q="agents")
    either = await search(api, q="welfare OR agents")
    assert both["total"] <= min(welfare["total"], agents["total"])
    assert either["total"] >= max(welfare["total"], agents["total"])
    ids = {h["id"] for h in welfare["hits"]}
    without = await search(api, q="welfare -agents", match="all")
    assert {h["id"] for h in without["hits"]} == ids - {h["id"] for h in both["hits"]}
    grouped = await search(api, q="(welfare OR agents) -Opus")
    assert all("Opus" not in t for t in all_titles(grouped))


async def test_match_modes_need_all_most_or_any_word(api: httpx.AsyncClient) -> None:
    words = ["welfare", "agents", "safety", "Opus"]
    alone = [{h["id"] for h in (await search(api, q=w))["hits"]} for w in words]
    hits_per_post: dict[str, int] = {}
    for found in alone:
        for post_id in found:
            hits_per_post[post_id] = hits_per_post.get(post_id, 0) + 1
    q = " ".join(words)
    modes = {m: await search(api, q=q, match=m) for m in ("all", "most", "any")}
    got = {m: {h["id"] for h in body["hits"]} for m, body in modes.items()}
    assert got["all"] == set.intersection(*alone)
    assert got["most"] == {p for p, n in hits_per_post.items() if n >= 3}  # 75 % of 4 words
    assert got["any"] == set.union(*alone)
    assert len(got["all"]) < len(got["most"]) < len(got["any"])
    assert {m: b["total"] for m, b in modes.items()} == {m: len(ids) for m, ids in got.items()}
    assert {m: b["query"]["match"] for m, b in modes.items()} == {"all": "all", "most": "most", "any": "any"}
    # the default ranks best matches first and needs one word: never empty when a word is there
    default = await search(api, q=q)
    assert default["query"]["match"] == "best"
    assert {h["id"] for h in default["hits"]} == got["any"]
    top = [hits_per_post[h["id"]] for h in default["hits"][: len(got["most"])]]
    assert sum(top) / len(top) > sum(hits_per_post.values()) / len(hits_per_post)
    # posts with more of the words come first
    ranked = [hits_per_post[h["id"]] for h in modes["any"]["hits"]]
    assert ranked[0] == max(ranked)
    # field terms stay required in every mode
    tagged = await search(api, q=f"tag:model-welfare {q}", match="any")
    assert tagged["total"] > 0
    assert all(any(t["key"] == "model-welfare" for t in h["tags"]) for h in tagged["hits"])
    # two words: "most" needs both
    pair = await search(api, q="welfare agents", match="most")
    assert pair["total"] == (await search(api, q="welfare agents", match="all"))["total"]
    bad = await api.get("/v1/search", params={"q": q, "match": "some"})
    assert bad.status_code == 422 and "match" in bad.text


async def test_phrases(api: httpx.AsyncClient) -> None:
    phrase = await search(api, q='"system card"')
    words = await search(api, q="system card")
    assert 0 < phrase["total"] <= words["total"]
    excluded = await search(api, q='welfare -"system card"')
    assert not {h["id"] for h in excluded["hits"]} & {h["id"] for h in phrase["hits"]}
    curly = await search(api, q="“system card”")
    assert curly["total"] == phrase["total"]


async def test_title_source_author_lang_prefixes(api: httpx.AsyncClient) -> None:
    title = await search(api, q="title:welfare")
    assert title["total"] > 0
    assert all("welfare" in " ".join(h["titles"].values()).lower() or "福祉" in " ".join(h["titles"].values())
               for h in title["hits"])
    source = await search(api, q='source:"Quiet Compute"')
    assert source["total"] >= 3 and {h["source"] for h in source["hits"]} == {"Quiet Compute"}
    author = await search(api, q='author:"Tomás Varga"')
    assert author["total"] == 2
    ja = await search(api, q="lang:ja")
    assert ja["total"] == EXPECTED["posts_per_language"]["ja"] + 2  # the seeds are bilingual pages


async def test_lemmas_match(api: httpx.AsyncClient) -> None:
    singular = await search(api, q="team")
    hit = next(h for h in singular["hits"] if h["title"] == "Opus 4.9 or Opus 4.7 for long refactors?")
    marks = {s["text"][a:b] for s in hit["highlights"] for a, b in s["marks"]}
    assert "teams" in marks


async def test_syntax_slips_degrade(api: httpx.AsyncClient) -> None:
    body = await search(api, q='"system card')
    assert body["total"] > 0 and body["query"]["warnings"][0]["position"] == 0
    body = await search(api, q="(welfare agents")
    assert body["query"]["warnings"]
    body = await search(api, q="welfare)")
    assert body["total"] > 0


async def test_syntax_error_is_400_with_position(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/search", params={"q": "welfare lang:fr"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "query_syntax" and err["position"] == 13


# -- filters ---------------------------------------------------------------------------------------


async def test_date_filters(api: httpx.AsyncClient) -> None:
    y2024 = await search(api, **{"from": "2024-01-01", "to": "2024-12-31"})
    assert y2024["total"] == EXPECTED["posts_per_year"]["2024"]
    later = await search(api, **{"from": "2026-01-01T00:00:00+09:00"})
    assert all(h["published"] >= "2025-12-31T15:00" for h in later["hits"] if h["published"])


async def test_source_author_lang_tag_filters(api: httpx.AsyncClient) -> None:
    src = await search(api, source=["quiet compute"])
    assert src["total"] >= 3
    two = await search(api, source=["Quiet Compute", "Model Watch"])
    assert two["total"] > src["total"]
    en = await search(api, lang=["en"])
    assert en["total"] == EXPECTED["posts_per_language"]["en"] + 2
    tagged = await search(api, tag=["model welfare"])
    both = await search(api, tag=["model welfare", "claude"], tag_mode="all")
    anyof = await search(api, tag=["model welfare", "claude"], tag_mode="any")
    assert both["total"] <= tagged["total"] <= anyof["total"]
    without = await search(api, exclude_tag=["Model-Welfare"])
    assert without["total"] == EXPECTED["total_posts"] + 2 - tagged["total"]
    author = await search(api, author=["Tomás Varga"])
    assert author["total"] == 2


async def test_entity_importance_doctype_filters(api: httpx.AsyncClient) -> None:
    anthropic = await search(api, entity=["アンソロピック"])
    by_id = await search(api, entity=["anthropic"])
    assert anthropic["total"] == by_id["total"] > 0
    both = await search(api, entity=["anthropic", "openai"])
    anyof = await search(api, entity=["anthropic", "openai"], entity_mode="any")
    assert both["total"] <= by_id["total"] <= anyof["total"]
    labs = await search(api, entity_type=["benchmark"])
    assert labs["total"] > 0
    important = await search(api, min_importance=4)
    assert important["total"] > 0 and all(h["importance"] >= 4 for h in important["hits"])
    jsonl_doc_types = await search(api, doc_type=["aggregator_page"])
    assert jsonl_doc_types["total"] >= 6


# -- facets, sort, paging ----------------------------------------------------------------------------


async def test_facets(api: httpx.AsyncClient) -> None:
    body = await search(api, q="welfare", facets="tags,entities,sources,langs,months", size=1)
    facets = body["facets"]
    assert set(facets) == {"tags", "entities", "sources", "langs", "months"}
    tag = next(b for b in facets["tags"] if b["key"] == "model-welfare")
    assert tag["count"] <= body["total"] and tag["label"]
    assert sum(b["count"] for b in facets["langs"]) >= body["total"]
    assert any(b["label"] == "Anthropic" for b in facets["entities"])
    assert all(len(b["key"]) == 7 for b in facets["months"])  # YYYY-MM
    narrowed = await search(api, q="welfare", lang=["en"], facets="langs", size=1)
    assert narrowed["facets"]["langs"][0]["key"] == "en"


async def test_sorts(api: httpx.AsyncClient) -> None:
    newest = await search(api, sort="-date")
    dates = [h["published"] for h in newest["hits"] if h["published"]]
    assert dates == sorted(dates, reverse=True)
    assert newest["hits"][-1]["published"] is None  # undated last
    oldest = await search(api, sort="date")
    odates = [h["published"] for h in oldest["hits"] if h["published"]]
    assert odates == sorted(odates)
    imp = await search(api, sort="importance")
    values = [h["importance"] for h in imp["hits"] if h["importance"] is not None]
    assert values == sorted(values, reverse=True) and values
    rel = await search(api, q="welfare")
    scores = [h["score"] for h in rel["hits"]]
    assert scores == sorted(scores, reverse=True)


async def test_pages_and_cursor_agree(api: httpx.AsyncClient) -> None:
    everything = await search(api, sort="-date", size=100)
    ids = [h["id"] for h in everything["hits"]]
    paged: list[str] = []
    for page in (1, 2, 3, 4, 5):
        body = await search(api, sort="-date", size=10, page=page)
        paged.extend(h["id"] for h in body["hits"])
    assert paged == ids
    walked: list[str] = []
    cursor = "*"
    while cursor:
        body = await search(api, sort="-date", size=7, cursor=cursor)
        walked.extend(h["id"] for h in body["hits"])
        cursor = body["next_cursor"]
        assert body["total"] == len(ids)
    assert walked == ids


async def test_cursor_is_bound_to_its_query(api: httpx.AsyncClient) -> None:
    first = await search(api, q="welfare", size=2)
    assert first["next_cursor"]
    r = await api.get("/v1/search", params={"q": "agents", "cursor": first["next_cursor"]})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "cursor"
    r = await api.get("/v1/search", params={"q": "welfare", "cursor": "not-a-cursor"})
    assert r.status_code == 422


async def test_page_beyond_the_window_asks_for_a_cursor(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/search", params={"page": 200, "size": 100})
    assert r.status_code == 422 and "cursor" in r.json()["error"]["message"]


# -- posts, tags, entities ---------------------------------------------------------------------------


async def test_post_and_related(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/posts/sample-jl-10")
    assert r.status_code == 200
    body = r.json()
    assert body["post"]["texts"]["en"]["title"] == "What changed in the Opus 4.8 welfare section"
    assert body["post"]["body"] if "body" in body["post"] else body["post"]["texts"]["en"]["body"]
    assert "search" not in body["post"]
    related = (await api.get("/v1/posts/sample-jl-10/related")).json()["related"]
    assert related[0]["id"] == "sample-jl-11" and related[0]["translation"]
    langs = {p["lang"] for p in related}
    assert {"ja", "en"} <= langs | {"both"} or "ja" in langs


async def test_unknown_ids_are_404(api: httpx.AsyncClient) -> None:
    # an id that spells Elasticsearch's error for a missing index is still just a missing post
    for path in ("/v1/posts/nope", "/v1/posts/nope/related", "/v1/entities/nope",
                 "/v1/posts/index_not_found", "/v1/posts/index_not_found_exception/related"):
        r = await api.get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", path


async def test_tags_autocomplete(api: httpx.AsyncClient) -> None:
    r = await api.get("/v1/tags", params={"prefix": "Model W"})
    tags = r.json()["tags"]
    assert tags[0]["key"] == "model-welfare" and tags[0]["count"] >= 6
    all_tags = (await api.get("/v1/tags")).json()["tags"]
    assert len(all_tags) == 20 and all_tags[0]["count"] >= all_tags[-1]["count"]
    odd = await api.get("/v1/tags", params={"prefix": '.*"[(\\'})
    assert odd.status_code == 200 and odd.json()["tags"] == []


async def test_entity_lookup_and_profile(api: httpx.AsyncClient) -> None:
    for q in ("anthro", "アンソロ", "Anthropic"):
        found = (await api.get("/v1/entities", params={"q": q})).json()["entities"]
        assert found and found[0]["id"] == "anthropic", q
        assert found[0]["mention_count"] > 0
    profile = (await api.get("/v1/entities/anthropic")).json()
    assert profile["name"] == "Anthropic" and profile["type"]
    assert profile["tree_mention_count"] >= profile["mention_count"] > 0
    assert profile["first_seen"] <= profile["last_seen"]
    assert profile["children"] and profile["co_entities"] and profile["recent_posts"]
    dates = [p["published"] for p in profile["recent_posts"] if p["published"]]
    assert dates == sorted(dates, reverse=True)


# -- errors and safety ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"size": 101}, "size"),
        ({"size": 0}, "size"),
        ({"page": 0}, "page"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "to"),
        ({"sort": "random"}, "sort"),
        ({"facets": "tags,bogus"}, "facets"),
        ({"facet_size": 1000}, "facet_size"),
        ({"min_importance": 9}, "min_importance"),
        ({"lang": "fr"}, "lang"),
        ({"doc_type": "tweet"}, "doc_type"),
        ({"entity": "no-such-entity-xyz"}, "entity"),
        ({"q": "x" * 1001}, "q"),
        ({"tag_mode": "some"}, "tag_mode"),
    ],
)
async def test_bad_parameters_are_422_by_field(
    api: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    r = await api.get("/v1/search", params=params)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_parameters"
    assert field in [f["field"] for f in err["fields"]]


@pytest.mark.parametrize(
    "q",
    ['"', "(", ")", "-", "OR", "((((", '""', "title:", "tag:", "-(-)", "\\", "*", "a:b:c", "\u0000",
     '{"query": {"match_all": {}}}', "entity:", "lang:", "OR OR OR", "「", "）（", "ＯＲ"],
)
async def test_odd_queries_never_fail(api: httpx.AsyncClient, q: str) -> None:
    r = await api.get("/v1/search", params={"q": q})
    assert r.status_code in (200, 400), (q, r.text)


async def test_elasticsearch_down_is_503_fast(open_api: Any, index_settings: Settings) -> None:
    import time

    down = index_settings.model_copy(update={"es_url": "http://127.0.0.1:9"})
    async with open_api(down) as client:
        for path in ("/v1/search?q=welfare", "/v1/posts/x", "/v1/tags", "/v1/export"):
            t0 = time.monotonic()
            r = await client.get(path)
            assert r.status_code == 503, path
            assert r.headers["Retry-After"]
            assert time.monotonic() - t0 < 2.0


async def test_api_keys(open_api: Any, index_settings: Settings, archive: str) -> None:
    keyed = index_settings.model_copy(update={"api_keys": "k1, k2"})
    async with open_api(keyed) as client:
        r = await client.get("/v1/search")
        assert r.status_code == 401 and r.json()["error"]["code"] == "api_key_required"
        assert (await client.get("/v1/search", headers={"X-API-Key": "nope"})).status_code == 401
        assert (await client.get("/v1/search", headers={"X-API-Key": "k2"})).status_code == 200
        ok = await client.get("/v1/tags", headers={"Authorization": "Bearer k1"})
        assert ok.status_code == 200
        assert (await client.get("/health")).status_code == 200


async def test_cors(open_api: Any, index_settings: Settings, archive: str) -> None:
    cors = index_settings.model_copy(update={"cors_origins": "https://ui.example"})
    async with open_api(cors) as client:
        r = await client.options(
            "/v1/search",
            headers={"Origin": "https://ui.example", "Access-Control-Request-Method": "GET"},
        )
        assert r.headers["access-control-allow-origin"] == "https://ui.example"
        other = await client.get("/v1/search", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_openapi_documents_the_endpoints_with_examples(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    for path in ("/v1/search", "/v1/posts/{post_id}", "/v1/posts/{post_id}/related", "/v1/tags",
                 "/v1/entities", "/v1/entities/{entity_id}", "/v1/export"):
        assert path in spec["paths"], path
    params = {p["name"]: p for p in spec["paths"]["/v1/search"]["get"]["parameters"]}
    assert "examples" in params["q"] and "from" in params and "cursor" in params
