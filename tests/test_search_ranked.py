"""Search the way people type: content words, ranked best match, long posts by passage.

Against a real node holding the two seed pages, a slice of the shared corpus (Japanese RSS
items, where each of the issue's zero-result queries has posts) and two posts written here:
a long digest with one passing mention, and a short post about that topic.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.analysis.query_words import content_words, equivalents
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import SEED_FULL, SEED_SHORT, corpus_slice

# the queries that came back empty, although the corpus has posts on each
ONCE_EMPTY = ["小型言語モデルの性能比較", "LLMの推論コスト削減", "ベクトルデータベースの選び方",
              "Claude Codeの料金プラン", "OpenAIとMicrosoftの関係"]

_DIGEST_TOPICS = [
    "A new open-weights coding model topped a leaderboard this week.",
    "Several labs argued about evaluation contamination on social media.",
    "A robotics startup raised a large round for warehouse automation.",
    "Researchers shared tricks for faster inference on consumer GPUs.",
    "A long thread compared prompt caching prices across providers.",
]


def _digest() -> str:
    # ~60k characters of unrelated recaps, with one passing mention of the topic
    lines = [f"- Item {i}: {_DIGEST_TOPICS[i % len(_DIGEST_TOPICS)]}" for i in range(900)]
    lines[450] = "- Item 450: someone asked which vector database to pick, with no answer given."
    return "\n".join(lines)


def _write_own_posts(dest: Path) -> Path:
    import json

    posts = [
        {
            "id": "own-digest",
            "lang": "en",
            "title": "Daily recap: coding models, funding, inference tricks",
            "published": "2026-08-01",
            "source": "Recap Weekly",
            "body": _digest(),
        },
        {
            "id": "own-focused",
            "lang": "en",
            "title": "Choosing a vector database for retrieval",
            "published": "2024-03-01",
            "source": "Notes",
            "body": "How to pick a vector database: index types, filtering, cost and operations. "
                    "We compare three vector database options for a retrieval pipeline.",
        },
        {
            "id": "own-tell",
            "lang": "ja",
            "title": "AIが作った写真は見分けられるか",
            "published": "2025-05-01",
            "source": "Notes",
            "body": "生成された写真を人はどこまで見分けられるのか、簡単な実験をした。",
        },
        # says 検出 and 判別 for the act, never 見分ける
        {
            "id": "own-detect",
            "lang": "ja",
            "title": "合成音声の検出ツールを三つ試した",
            "published": "2025-06-01",
            "source": "Notes",
            "body": "電話の声が合成音声かどうかを判別する無料ツールを、同じ録音で比べた。",
        },
        # two English posts carrying Waymo: one mentions it in passing (newer, and first in the
        # file, so a tie would put it first), one is about it
        {
            "id": "own-waymo-passing",
            "lang": "en",
            "title": "Weekly notes on sensors, maps and fleets",
            "published": "2026-07-01",
            "source": "Notes",
            "body": "Lidar prices fell again. Map providers merged. Someone compared this to Waymo. "
                    "Fleet operators shared charging schedules for electric vans.",
        },
        {
            "id": "own-waymo-about",
            "lang": "en",
            "title": "Waymo opens robotaxi rides in three more cities",
            "published": "2024-02-01",
            "source": "Notes",
            "body": "Waymo said its driverless rides now run in three more cities; Waymo plans more.",
        },
    ]
    path = dest / "own.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def archive(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("ranked")
    items = corpus_slice("ja_ainewscollector_items", 6000, tmp)
    paths = [SEED_FULL, SEED_SHORT, _write_own_posts(tmp), items]
    ensure_index(es, index_name)
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_name, rejects).run(paths)
    assert summary.rejected == 0 and summary.indexed > 5000
    return index_name


async def search(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await api.get("/v1/search", params={"size": 20, **params})
    assert r.status_code == 200, r.text
    return r.json()


# -- content words (no node) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("生成AIと著作権について", ["生成", "AI", "著作権"]),  # particles and つい(て) dropped, 権 joins
        ("LLMの推論コスト削減", ["LLM", "推論", "コスト", "削減"]),
        ("ベクトルデータベースの選び方", ["ベクトル", "データベース", "選び方"]),
        ("なぜLLMはハルシネーションを起こすのか", ["LLM", "ハルシネーション", "起こす"]),
        ("why do language models hallucinate", ["language", "models", "hallucinate"]),
        ("The Who", ["The", "Who"]),  # only function words: all of them stay
        ("AIが生成した画像の見分け方", ["AI", "生成", "画像", "見分ける"]),  # the verb of 〜方, as its lemma
        ("MCPサーバーの作り方", ["MCP", "サーバー", "作り方"]),  # a stock intent word stays whole
    ],
)
def test_content_words(text: str, words: list[str]) -> None:
    assert [w.text for w in content_words(text)] == words


async def test_how_to_verbs_match_by_their_lemma(api: httpx.AsyncClient) -> None:
    # 見分け方 (how to tell) finds a post that says 見分けられる and never 見分け方
    body = await search(api, q="見分け方", highlight="false", size=100)
    assert "own-tell" in [h["id"] for h in body["hits"]]


@pytest.mark.parametrize(
    ("text", "others"),
    [
        ("見分ける", {"判別", "検出"}),
        ("見分けられる", {"判別", "検出"}),  # by its lemma
        ("作る", {"作成", "構築"}),
        ("作り方", {"作成", "構築"}),  # verb + 方: the verb's list
        ("見分け方", {"判別", "検出"}),
        ("安く", {"安価", "低コスト"}),  # an adjective, by its lemma 安い
        ("ディープフェイク", set()),  # a noun: posts say it as typed
        ("見分ける方法", set()),  # two words: the caller asks word by word
        ("生成", set()),  # left out of the list: nearly every post says it
    ],
)
def test_equivalents_of_typed_verbs(text: str, others: set[str]) -> None:
    found = set(equivalents(text))
    if others:
        assert others <= found, found
    else:
        assert not found, found


async def test_a_typed_verb_finds_posts_that_use_its_sino_japanese_noun(api: httpx.AsyncClient) -> None:
    # 合成音声を見分ける: the post says 検出 and 判別, never 見分ける, and is about just that
    body = await search(api, q="合成音声を見分けるには", size=10)
    ids = [h["id"] for h in body["hits"]]
    assert "own-detect" in ids[:3], [h["title"] for h in body["hits"]]
    hit = body["hits"][ids.index("own-detect")]
    marks = {s["text"][a:b] for s in hit["highlights"] for a, b in s["marks"]}
    assert marks & {"検出", "判別"}, hit["highlights"]
    # a quoted word means what it says
    quoted = await search(api, q='合成音声 "見分ける"', match="all", size=100, highlight="false")
    assert "own-detect" not in [h["id"] for h in quoted["hits"]]


# -- ranked best match --------------------------------------------------------------------------


@pytest.mark.parametrize("q", ONCE_EMPTY)
async def test_once_empty_queries_find_posts_with_most_words_first(api: httpx.AsyncClient, q: str) -> None:
    body = await search(api, q=q, highlight="false")
    assert body["total"] > 0 and body["query"]["match"] == "best"
    words = [w.text.lower() for w in content_words(q)]
    strict = await search(api, q=q, match="all", highlight="false")
    # the top of the ranked list is mostly posts that have every word (when there are any)
    if strict["total"]:
        top = [h["id"] for h in body["hits"][: min(5, strict["total"])]]
        every = {h["id"] for h in (await search(api, q=q, match="all", size=100))["hits"]}
        assert sum(i in every for i in top) * 2 > len(top), q
    first = body["hits"][0]
    text = (first["title"] + " " + (first.get("summary") or "")).lower()
    assert sum(w in text for w in words) >= 2, (q, first["title"])


async def test_strict_and_is_still_there(api: httpx.AsyncClient) -> None:
    best = await search(api, q="小型 オーケストラ", highlight="false")
    strict = await search(api, q="小型 オーケストラ", match="all", highlight="false")
    assert best["total"] > 0 and strict["total"] == 0
    # an empty answer says why
    messages = [w["message"] for w in strict["query"]["warnings"]]
    assert any("all of the words" in m and "match=best" in m for m in messages)
    assert not best["query"]["warnings"]


async def test_quoted_japanese_is_an_exact_phrase(api: httpx.AsyncClient) -> None:
    loose = await search(api, q="エージェントの開発", match="all", size=100, highlight="false")
    exact = await search(api, q='"エージェントの開発"', size=100)
    assert 0 < exact["total"] < loose["total"]
    for h in exact["hits"]:
        marked = " ".join(s["text"] for s in h["highlights"])
        # a phrase of tokens: punctuation between them is not a token (「AIエージェント」の開発)
        assert re.search(r"エージェント\W{0,2}の開発", marked), h["title"]


async def test_a_post_about_the_topic_outranks_a_digest_that_mentions_it(api: httpx.AsyncClient) -> None:
    body = await search(api, q="which vector database to pick")
    ids = [h["id"] for h in body["hits"]]
    assert "own-focused" in ids and "own-digest" in ids
    assert ids.index("own-focused") < ids.index("own-digest")
    # the digest's highlight comes from the passage that matched, not from its start
    digest = next(h for h in body["hits"] if h["id"] == "own-digest")
    assert any("Item 450" in s["text"] for s in digest["highlights"]), digest["highlights"]
    # counts stay posts, not passages
    assert (await search(api, q='"vector database"', match="all"))["total"] == 2


async def test_a_name_typed_in_katakana_scores_the_english_name(api: httpx.AsyncClient) -> None:
    # ウェイモ names Waymo: English posts match through the entity, and the one about Waymo
    # (its name in the title and text) ranks above the one that names it once
    body = await search(api, q="ウェイモ", size=100, highlight="false")
    ids = [h["id"] for h in body["hits"]]
    assert {"own-waymo-about", "own-waymo-passing"} <= set(ids)
    assert ids.index("own-waymo-about") < ids.index("own-waymo-passing")


async def test_versions_stay_exact(api: httpx.AsyncClient) -> None:
    body = await search(api, q="Opus 4.8", size=100, highlight="false")
    assert body["total"] > 0
    other = await search(api, q="Opus 4.1", size=100, highlight="false")
    assert not {h["id"] for h in other["hits"]} & {"4290f064b0d01753", "cfd12810acb2d063"}
