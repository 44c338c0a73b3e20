"""/v1/trends/* and /v1/digest against a real Elasticsearch holding the sample archive, the two
seed pages and two slices of the shared corpus (Japanese feed items of 2025, English news items
of 2023-2024).

The figures are checked against counts computed here, in Python, from the indexed documents
themselves (read back with a scroll), never against another aggregation: buckets are cut with
``zoneinfo``, shares, rising scores and lifts recomputed from those counts. Totals are also
checked against /v1/search for the same q and filters.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from indexer.analysis import load_kb
from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import SAMPLES, SEED_FULL, SEED_SHORT, corpus_slice

SLICES = (("ja_ainewscollector_items", 600, 0), ("en_lastweekinai_items", 600, 8000))
JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Doc:
    id: str
    published: datetime | None
    tags: frozenset[str]
    entities: frozenset[str]  # entity_ids
    tree: frozenset[str]  # entity_tree
    terms: frozenset[str]
    source: str | None
    langs: frozenset[str]
    importance: int | None


@pytest.fixture(scope="module")
def docs(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> list[Doc]:
    ensure_index(es, index_name)
    tmp: Path = tmp_path_factory.mktemp("trends")
    paths = [SAMPLES, SEED_FULL, SEED_SHORT] + [corpus_slice(n, k, tmp, start=s) for n, k, s in SLICES]
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_name, rejects, workers=1).run(paths)
    assert summary.rejected == 0 and summary.indexed > 1200
    fields = [
        "id",
        "published",
        "tag_keys",
        "entity_ids",
        "entity_tree",
        "key_terms",
        "source",
        "langs",
        "importance",
    ]
    out = []
    for hit in scan(es, index=index_name, query={"query": {"match_all": {}}}, _source=fields):
        s = hit["_source"]
        out.append(
            Doc(
                id=s["id"],
                published=datetime.fromisoformat(s["published"]) if s.get("published") else None,
                tags=frozenset(s.get("tag_keys") or ()),
                entities=frozenset(s.get("entity_ids") or ()),
                tree=frozenset(s.get("entity_tree") or ()),
                terms=frozenset(s.get("key_terms") or ()),
                source=s.get("source"),
                langs=frozenset(s.get("langs") or ()),
                importance=s.get("importance"),
            )
        )
    assert len(out) == summary.indexed
    return out


@pytest.fixture
async def api(open_api: Any, index_settings: Settings, docs: list[Doc]) -> Any:
    async with open_api(index_settings) as client:
        yield client


async def get(api: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    r = await api.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def search_total(api: httpx.AsyncClient, url: str) -> int:
    r = await api.get(url + ("&" if "?" in url else "?") + "size=1&highlight=false")
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


# -- the reference computations -----------------------------------------------------------------


def day_start(d: date, tz: ZoneInfo) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=tz)


def bucket_of(dt: datetime, interval: str, tz: ZoneInfo) -> date:
    d = dt.astimezone(tz).date()
    if interval == "week":
        return d - timedelta(days=d.weekday())
    if interval == "month":
        return d.replace(day=1)
    if interval == "year":
        return d.replace(month=1, day=1)
    return d


def next_bucket(d: date, interval: str) -> date:
    if interval == "day":
        return d + timedelta(days=1)
    if interval == "week":
        return d + timedelta(days=7)
    if interval == "month":
        return date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return date(d.year + 1, 1, 1)


def label(d: date, interval: str) -> str:
    return {"month": d.isoformat()[:7], "year": d.isoformat()[:4]}.get(interval, d.isoformat())


def in_period(doc: Doc, start: datetime | None, end: datetime | None) -> bool:
    if doc.published is None:
        return start is None and end is None
    return (start is None or doc.published >= start) and (end is None or doc.published < end)


def ranked(counter: Counter[str], n: int | None = None) -> list[tuple[str, int]]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return items if n is None else items[:n]


def count_by(docs: Iterable[Doc], key: Callable[[Doc], Iterable[str]]) -> Counter[str]:
    c: Counter[str] = Counter()
    for d in docs:
        c.update(set(key(d)))
    return c


def score(c: int, n: int, b: int, m: int) -> float:
    return math.log2(((c + 1) / (n + 1)) / ((b + 1) / (m + 1)))


# -- timeline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "model welfare"},
        {"q": "Anthropic", "lang": "ja"},
        {"tag": "ai"},
        {"q": "エージェント"},
        {"q": "entity:openai OR tag:business", "interval": "year"},
        {"q": "Anthropic agents safety welfare", "match": "most"},
        {},
    ],
)
async def test_timeline_buckets_add_up_to_the_search_total(
    api: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    body = await get(api, "/v1/trends/timeline", **{"interval": "month", **params})
    search = await search_total(api, body["query"]["search"])
    direct = await get(
        api, "/v1/search", size=1, highlight=False, **{k: v for k, v in params.items() if k != "interval"}
    )
    assert body["total"] == search == direct["total"]
    assert sum(b["count"] for b in body["buckets"]) + body["undated"] == body["total"]
    assert body["total"] > 0
    # with a period: the buckets hold exactly the posts /v1/search finds in it
    ranged = await get(
        api, "/v1/trends/timeline", **{"interval": "week", "from": "2024-01-10", "to": "2025-05-20", **params}
    )
    assert ranged["undated"] == 0
    assert sum(b["count"] for b in ranged["buckets"]) == ranged["total"]
    assert ranged["total"] == await search_total(api, ranged["query"]["search"])


@pytest.mark.parametrize(
    ("tz", "interval", "start", "end"),
    [
        ("Asia/Tokyo", "day", "2025-04-25", "2025-05-20"),
        ("UTC", "day", "2025-04-25", "2025-05-20"),
        ("America/Los_Angeles", "day", "2026-05-15", "2026-06-15"),
        ("Asia/Tokyo", "week", "2023-12-01", "2025-06-30"),
        ("Europe/Paris", "month", "2023-01-15", "2026-12-31"),
        ("Asia/Tokyo", "year", "2018-01-01", "2026-12-31"),
    ],
)
async def test_timeline_counts_and_shares(
    api: httpx.AsyncClient, docs: list[Doc], tz: str, interval: str, start: str, end: str
) -> None:
    zone = ZoneInfo(tz)
    lo = day_start(date.fromisoformat(start), zone)
    hi = day_start(date.fromisoformat(end) + timedelta(days=1), zone)
    body = await get(
        api, "/v1/trends/timeline", interval=interval, tz=tz, lang="ja", **{"from": start, "to": end}
    )
    expected_keys = []
    d = bucket_of(lo, interval, zone)
    while day_start(d, zone) < hi:
        expected_keys.append(label(d, interval))
        d = next_bucket(d, interval)
    assert [b["key"] for b in body["buckets"]] == expected_keys  # every bucket, zeros included
    counts: Counter[str] = Counter()
    alls: Counter[str] = Counter()
    for doc in docs:
        if not in_period(doc, lo, hi) or doc.published is None:
            continue
        key = label(bucket_of(doc.published, interval, zone), interval)
        alls[key] += 1
        if "ja" in doc.langs:
            counts[key] += 1
    for b in body["buckets"]:
        assert (b["count"], b["all"]) == (counts[b["key"]], alls[b["key"]]), b
        assert b["share"] == pytest.approx(counts[b["key"]] / alls[b["key"]] if alls[b["key"]] else 0.0)
        assert b["start"].startswith(b["key"] if interval in ("day", "week") else b["key"] + "-01"[:3])
    assert sum(counts.values()) == body["total"] > 0
    assert body["query"]["tz"] == tz
    assert body["query"]["start"] == lo.isoformat() and body["query"]["end"] == hi.isoformat()


async def test_buckets_cut_by_the_period_are_flagged_partial(api: httpx.AsyncClient) -> None:
    body = await get(
        api, "/v1/trends/timeline", interval="week", **{"from": "2025-05-14", "to": "2025-06-03"}
    )
    # Wednesday 14 May .. Tuesday 3 June: the first and the last week are cut
    assert [(b["key"], b["partial"]) for b in body["buckets"]] == [
        ("2025-05-12", True),
        ("2025-05-19", False),
        ("2025-05-26", False),
        ("2025-06-02", True),
    ]
    assert body["query"]["start"] == "2025-05-14T00:00:00+09:00"
    assert body["query"]["end"] == "2025-06-04T00:00:00+09:00"


async def test_time_zone_moves_posts_between_days(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    # a post at 2026-08-06 09:15 +02:00 is the 6th in Tokyo and in Paris, but 07:15 UTC on the 6th
    # and 00:15 on the 6th in Los Angeles: shifts are checked against zoneinfo for every post
    found = {}
    for tz in ("Asia/Tokyo", "UTC", "America/Los_Angeles"):
        body = await get(
            api, "/v1/trends/timeline", interval="day", tz=tz, **{"from": "2026-05-01", "to": "2026-08-31"}
        )
        found[tz] = {b["key"]: b["count"] for b in body["buckets"] if b["count"]}
        zone = ZoneInfo(tz)
        lo, hi = day_start(date(2026, 5, 1), zone), day_start(date(2026, 9, 1), zone)
        expected = Counter(
            d.published.astimezone(zone).date().isoformat()
            for d in docs
            if d.published and lo <= d.published < hi
        )
        assert found[tz] == dict(expected)
    assert found["Asia/Tokyo"] != found["America/Los_Angeles"]


async def test_timeline_split_series(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    zone = ZoneInfo("Asia/Tokyo")
    dated = [d for d in docs if d.published]
    for split, key in (
        ("entity", lambda d: d.entities),
        ("tag", lambda d: d.tags),
        ("source", lambda d: [d.source] if d.source else []),
        ("lang", lambda d: d.langs),
    ):
        body = await get(api, "/v1/trends/timeline", interval="year", split=split, top=4)
        top = ranked(count_by(dated, key), 4)
        assert [(s["key"], s["total"]) for s in body["series"]] == top, split
        for s in body["series"]:
            per_year = Counter(
                label(bucket_of(d.published, "year", zone), "year")  # type: ignore[arg-type]
                for d in dated
                if s["key"] in set(key(d))
            )
            assert [sb["key"] for sb in s["buckets"]] == [b["key"] for b in body["buckets"]]
            for sb, b in zip(s["buckets"], body["buckets"], strict=True):
                assert sb["count"] == per_year[sb["key"]]
                assert sb["share"] == pytest.approx(sb["count"] / b["all"] if b["all"] else 0.0)
        assert body["split"] == split
    tags = await get(api, "/v1/trends/timeline", q="tag:model-welfare", interval="year", split="tag", top=1)
    assert tags["series"][0]["key"] == "model-welfare"
    assert tags["series"][0]["label"] in {
        "Model Welfare",
        "Model-Welfare",
        "model welfare",
        "model_welfare",
        "MODEL WELFARE",
        "model-welfare",
    }
    entity = await get(
        api, "/v1/trends/timeline", q="tag:model-welfare", interval="year", split="entity", top=1
    )
    assert entity["series"][0]["label"] == "Anthropic" or entity["series"][0]["label"]


async def test_timeline_compare(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    zone = ZoneInfo("Asia/Tokyo")
    lo, hi = day_start(date(2024, 1, 1), zone), day_start(date(2027, 1, 1), zone)
    body = await get(
        api,
        "/v1/trends/timeline",
        interval="month",
        compare=["tag:model-welfare", "entity:anthropic"],
        **{"from": "2024-01-01", "to": "2026-12-31"},
    )
    assert body["split"] == "compare"
    checks = {
        "tag:model-welfare": lambda d: "model-welfare" in d.tags,
        "entity:anthropic": lambda d: "anthropic" in d.tree,
    }
    assert [s["q"] for s in body["series"]] == list(checks)
    for s in body["series"]:
        wanted = Counter(
            label(bucket_of(d.published, "month", zone), "month")  # type: ignore[arg-type]
            for d in docs
            if in_period(d, lo, hi) and d.published and checks[s["q"]](d)
        )
        assert {sb["key"]: sb["count"] for sb in s["buckets"] if sb["count"]} == dict(wanted)
        assert s["total"] == sum(wanted.values()) > 0
    # compare series are ANDed with q
    narrowed = await get(
        api,
        "/v1/trends/timeline",
        q="lang:ja",
        interval="year",
        compare=["entity:anthropic"],
        **{"from": "2024-01-01", "to": "2026-12-31"},
    )
    assert narrowed["series"][0]["total"] == sum(
        1 for d in docs if in_period(d, lo, hi) and "anthropic" in d.tree and "ja" in d.langs
    )


async def test_match_mode_is_echoed_and_followed_by_compare(api: httpx.AsyncClient) -> None:
    words = "Anthropic agents safety welfare"
    body = await get(api, "/v1/trends/timeline", interval="year", match="any", compare=[words])
    assert body["query"]["filters"]["match"] == "any"
    assert "match=any" in body["query"]["search"] and "match=any" in body["query"]["canonical"]
    any_total = (await get(api, "/v1/search", q=words, match="any", size=1))["total"]
    all_total = (await get(api, "/v1/search", q=words, match="all", size=1))["total"]
    assert all_total < any_total
    # q read with match=any: the timeline's total is /v1/search's for the same request
    direct = await get(api, "/v1/trends/timeline", q=words, interval="year", match="any")
    assert direct["total"] == any_total
    dated = direct["total"] - direct["undated"]
    # the compare= series is read with match=any too: the same dated posts
    assert body["series"][0]["total"] == dated
    strict = await get(api, "/v1/trends/timeline", interval="year", match="all", compare=[words])
    assert strict["series"][0]["total"] < dated
    default = await get(api, "/v1/trends/timeline", interval="year")
    assert "match" not in default["query"]["filters"] and "match=" not in default["query"]["search"]


async def test_search_and_export_read_dates_in_tz_like_the_trends(
    api: httpx.AsyncClient, docs: list[Doc]
) -> None:
    # a post published between 15:00 and 24:00 UTC is on the next day in Tokyo
    late = next(d for d in docs if d.published and d.published.astimezone(UTC).hour >= 15)
    tokyo_day = late.published.astimezone(ZoneInfo("Asia/Tokyo")).date().isoformat()  # type: ignore[union-attr]
    in_tokyo = await get(api, "/v1/search", size=100, tz="Asia/Tokyo", **{"from": tokyo_day, "to": tokyo_day})
    in_utc = await get(api, "/v1/search", size=100, **{"from": tokyo_day, "to": tokyo_day})
    assert late.id in {h["id"] for h in in_tokyo["hits"]}
    assert late.id not in {h["id"] for h in in_utc["hits"]}
    period = {"from": "2024-03-01", "to": "2025-02-28"}
    trend = await get(api, "/v1/trends/timeline", interval="month", **period)  # Asia/Tokyo days
    zoned = await get(api, "/v1/search", size=1, tz="Asia/Tokyo", facets="months", facet_size=100, **period)
    assert zoned["total"] == trend["total"] > 0
    # the months facet counts in the same zone: the timeline's non-empty buckets
    months = {b["key"]: b["count"] for b in zoned["facets"]["months"]}
    assert months == {b["key"]: b["count"] for b in trend["buckets"] if b["count"]}
    utc = await get(api, "/v1/search", size=1, tz="UTC", **period)
    default = await get(api, "/v1/search", size=1, **period)
    assert utc["total"] == default["total"]  # without tz: UTC days, as before
    r = await api.get("/v1/export", params={"tz": "+09:00", "fields": "id", **period})
    assert r.status_code == 200 and len(r.text.splitlines()) == trend["total"]
    bad = await api.get("/v1/search", params={"tz": "Mars/Olympus", **period})
    assert bad.status_code == 422 and "tz" in bad.text


# -- top ------------------------------------------------------------------------------------------


TOP_KEYS: dict[str, Callable[[Doc], Iterable[str]]] = {
    "tag": lambda d: d.tags,
    "entity": lambda d: d.entities,
    "source": lambda d: [d.source] if d.source else [],
    "key_term": lambda d: d.terms,
}


@pytest.mark.parametrize("by", list(TOP_KEYS))
@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({}, lambda d: True),
        (
            {"lang": "ja", "from": "2025-01-01", "to": "2025-12-31"},
            lambda d: (
                "ja" in d.langs
                and in_period(
                    d,
                    day_start(date(2025, 1, 1), ZoneInfo("Asia/Tokyo")),
                    day_start(date(2026, 1, 1), ZoneInfo("Asia/Tokyo")),
                )
            ),
        ),
        ({"q": "entity:anthropic"}, lambda d: "anthropic" in d.tree),
    ],
)
async def test_top(
    api: httpx.AsyncClient, docs: list[Doc], by: str, filters: dict[str, Any], match: Callable[[Doc], bool]
) -> None:
    body = await get(api, "/v1/trends/top", by=by, size=15, **filters)
    matching = [d for d in docs if match(d)]
    assert body["total"] == len(matching) > 0
    expected = ranked(count_by(matching, TOP_KEYS[by]), 15)
    assert [(i["key"], i["count"]) for i in body["items"]] == expected
    for i in body["items"]:
        assert i["share"] == pytest.approx(i["count"] / len(matching))


async def test_top_entities_of_one_type(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    kb = load_kb()
    for etype in ("model", "lab"):
        body = await get(api, "/v1/trends/top", by="entity", type=etype, size=10)
        counter = Counter(
            e
            for d in docs
            for e in d.entities
            if (info := kb.describe(e)) is not None and info.type == etype
        )
        assert [(i["key"], i["count"]) for i in body["items"]] == ranked(counter, 10)
        assert {i["type"] for i in body["items"]} == {etype}
        assert all(i["label"] for i in body["items"])


async def test_top_key_terms_are_words_in_both_languages(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    ja = await get(api, "/v1/trends/top", by="key_term", term_lang="ja", size=30)
    assert len(ja["items"]) == 30
    for item in ja["items"]:
        assert JA_RE.search(item["key"]) and len(item["key"]) >= 2, item
    welfare = await get(api, "/v1/trends/top", q="tag:model-welfare", by="key_term", term_lang="ja", size=10)
    assert "モデル福祉" in [i["key"] for i in welfare["items"]]
    en = await get(api, "/v1/trends/top", by="key_term", term_lang="en", size=30)
    assert en["items"] and not any(JA_RE.search(i["key"]) for i in en["items"])
    expected = ranked(Counter(t for d in docs for t in d.terms if JA_RE.search(t)), 30)
    assert [(i["key"], i["count"]) for i in ja["items"]] == expected


# -- rising ---------------------------------------------------------------------------------------


def rising_expected(
    docs: list[Doc],
    key: Callable[[Doc], Iterable[str]],
    period: tuple[datetime, datetime],
    baseline: tuple[datetime, datetime],
    match: Callable[[Doc], bool],
    min_count: int,
    size: int,
) -> tuple[int, int, list[tuple[str, int, int, float]]]:
    cur = [d for d in docs if match(d) and in_period(d, *period)]
    base = [d for d in docs if match(d) and in_period(d, *baseline)]
    c, b = count_by(cur, key), count_by(base, key)
    n, m = len(cur), len(base)
    rows = [(k, c[k], b[k], score(c[k], n, b[k], m)) for k in c if c[k] >= min_count]
    rows = [r for r in rows if r[3] > 0]
    rows.sort(key=lambda r: (-r[3], -r[1], r[0]))
    return n, m, rows[:size]


@pytest.mark.parametrize(("by", "min_count"), [("entity", 2), ("tag", 2), ("key_term", 6)])
async def test_rising_against_the_period_before(
    api: httpx.AsyncClient, docs: list[Doc], by: str, min_count: int
) -> None:
    zone = ZoneInfo("Asia/Tokyo")
    period = (day_start(date(2025, 5, 1), zone), day_start(date(2025, 6, 1), zone))
    baseline = (period[0] - timedelta(days=31), period[0])  # same length, just before
    match = lambda d: "ja" in d.langs  # noqa: E731
    n, m, expected = rising_expected(docs, TOP_KEYS[by], period, baseline, match, min_count, 15)
    body = await get(
        api,
        "/v1/trends/rising",
        by=by,
        lang="ja",
        size=15,
        min_count=min_count,
        **{"from": "2025-05-01", "to": "2025-05-31"},
    )
    assert (body["period"]["total"], body["baseline"]["total"]) == (n, m)
    assert n > 100 and m > 10
    assert body["baseline"]["start"] == "2025-03-31T00:00:00+09:00"
    assert body["baseline"]["end"] == body["period"]["start"] == "2025-05-01T00:00:00+09:00"
    got = [(i["key"], i["count"], i["baseline_count"]) for i in body["items"]]
    assert got == [(k, c, b) for k, c, b, _ in expected]
    assert len(got) >= 3
    for item, (_, c, b, s) in zip(body["items"], expected, strict=True):
        assert item["score"] == pytest.approx(s)
        assert item["share"] == pytest.approx(c / n)
        assert item["baseline_share"] == pytest.approx(b / m)
        assert item["change"] == pytest.approx(c / n - b / m)
    assert "log2" in body["score"]


async def test_rising_with_an_explicit_baseline(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    zone = ZoneInfo("UTC")
    period = (day_start(date(2024, 2, 1), zone), day_start(date(2024, 4, 1), zone))
    baseline = (day_start(date(2023, 12, 1), zone), day_start(date(2024, 2, 1), zone))
    n, m, expected = rising_expected(docs, TOP_KEYS["entity"], period, baseline, lambda d: True, 2, 10)
    body = await get(
        api,
        "/v1/trends/rising",
        by="entity",
        tz="UTC",
        size=10,
        min_count=2,
        baseline_from="2023-12-01",
        baseline_to="2024-01-31",
        **{"from": "2024-02-01", "to": "2024-03-31"},
    )
    assert (body["period"]["total"], body["baseline"]["total"]) == (n, m)
    assert [(i["key"], i["count"], i["baseline_count"]) for i in body["items"]] == [e[:3] for e in expected]
    assert body["items"]


async def test_rising_default_period_ends_with_the_newest_post(
    api: httpx.AsyncClient, docs: list[Doc]
) -> None:
    body = await get(api, "/v1/trends/rising", by="tag", min_count=1)
    zone = ZoneInfo("Asia/Tokyo")
    newest = max(d.published for d in docs if d.published).astimezone(zone).date()  # type: ignore[type-var]
    assert body["period"]["end"] == day_start(newest + timedelta(days=1), zone).isoformat()
    assert body["period"]["start"] == day_start(newest - timedelta(days=29), zone).isoformat()


# -- co-occurrence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("of", "params", "anchor", "match"),
    [
        ("entity:anthropic", {}, lambda d: "anthropic" in d.tree, lambda d: True),
        ("entity:アンソロピック", {"lang": "en"}, lambda d: "anthropic" in d.tree, lambda d: "en" in d.langs),
        ("tag:Model Welfare", {}, lambda d: "model-welfare" in d.tags, lambda d: True),
        ("entity:openai", {"q": "lang:ja"}, lambda d: "openai" in d.tree, lambda d: "ja" in d.langs),
    ],
)
@pytest.mark.parametrize("sort", ["count", "lift"])
async def test_cooccurrence(
    api: httpx.AsyncClient,
    docs: list[Doc],
    of: str,
    params: dict[str, Any],
    anchor: Callable[[Doc], bool],
    match: Callable[[Doc], bool],
    sort: str,
) -> None:
    body = await get(api, "/v1/trends/cooccurrence", of=of, size=8, sort=sort, **params)
    s = [d for d in docs if match(d)]
    a = [d for d in s if anchor(d)]
    assert (body["total"], body["anchor_count"]) == (len(s), len(a))
    assert len(a) > 2
    kb = load_kb()
    anchor_ids = {body["of"]["key"]} if body["of"]["kind"] == "entity" else set()
    for kind, key in (("entities", lambda d: d.entities), ("tags", lambda d: d.tags)):
        both, alone = count_by(a, key), count_by(s, key)
        if kind == "entities":
            for e in list(both):
                if e in anchor_ids or set(kb.ancestors(e)) & anchor_ids:
                    del both[e]
        elif body["of"]["kind"] == "tag":
            del both[body["of"]["key"]]
        rows = [(k, c, alone[k], c * len(s) / (len(a) * alone[k])) for k, c in both.items()]
        order = (lambda r: (-r[1], -r[3], r[0])) if sort == "count" else (lambda r: (-r[3], -r[1], r[0]))
        rows.sort(key=order)
        got = body[kind]
        assert got, kind
        for item in got:
            c, n = both[item["key"]], alone[item["key"]]
            assert (item["count"], item["total"]) == (c, n), item
            assert item["lift"] == pytest.approx(c * len(s) / (len(a) * n))
            assert item["share"] == pytest.approx(c / len(a))
        if sort == "count":  # candidates are the most frequent: the list is the exact top
            assert [(i["key"], i["count"]) for i in got] == [(r[0], r[1]) for r in rows[:8]]
        else:
            lifts = [i["lift"] for i in got]
            assert lifts == sorted(lifts, reverse=True)


async def test_cooccurrence_family(api: httpx.AsyncClient) -> None:
    without = await get(api, "/v1/trends/cooccurrence", of="entity:anthropic", kind="entity", size=50)
    family = await get(
        api, "/v1/trends/cooccurrence", of="entity:anthropic", kind="entity", size=50, family=True
    )
    keys = {i["key"] for i in without["entities"]}
    with_family = {i["key"] for i in family["entities"]}
    assert "claude-opus-4.8" in with_family and "claude-opus-4.8" not in keys
    assert without["tags"] == [] and family["tags"] == []


# -- digest ---------------------------------------------------------------------------------------


async def test_digest_ranks_the_day_by_importance(api: httpx.AsyncClient, docs: list[Doc]) -> None:
    zone = ZoneInfo("Asia/Tokyo")
    by_day: dict[date, list[Doc]] = {}
    for d in docs:
        if d.published:
            by_day.setdefault(d.published.astimezone(zone).date(), []).append(d)
    day = max((k for k, v in by_day.items() if any(x.importance for x in v)), key=lambda k: len(by_day[k]))
    ranked_docs = sorted(
        by_day[day],
        key=lambda d: (d.importance is None, -(d.importance or 0), -d.published.timestamp(), d.id),
    )  # type: ignore[union-attr]
    body = await get(api, "/v1/digest", date=day.isoformat(), size=100)
    assert body["date"] == day.isoformat() and body["total"] == len(by_day[day])
    assert [p["id"] for p in body["posts"]] == [d.id for d in ranked_docs]
    expected = Counter(str(d.importance) if d.importance else "none" for d in by_day[day])
    assert {k: v for k, v in body["by_importance"].items() if v} == dict(expected)
    assert body["total"] == await search_total(api, body["query"]["search"])
    # the newest day by default; a day without posts is empty
    newest = await get(api, "/v1/digest")
    assert newest["date"] == max(by_day).isoformat()
    empty = await get(api, "/v1/digest", date="2001-01-01")
    assert empty["total"] == 0 and empty["posts"] == []
    csv_text = (await api.get("/v1/digest", params={"date": day.isoformat(), "format": "csv"})).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [r["id"] for r in rows] == [d.id for d in ranked_docs][:20]


# -- the contract of every answer -----------------------------------------------------------------


ENDPOINTS = [
    ("/v1/trends/timeline", {"q": "model welfare", "interval": "month", "split": "entity"}),
    ("/v1/trends/top", {"by": "tag", "lang": "ja"}),
    ("/v1/trends/rising", {"by": "key_term", "min_count": 2}),
    ("/v1/trends/cooccurrence", {"of": "entity:anthropic"}),
    ("/v1/digest", {"date": "2026-05-21"}),
]


@pytest.mark.parametrize(("path", "params"), ENDPOINTS)
async def test_etag_cache_control_and_304(api: httpx.AsyncClient, path: str, params: dict[str, Any]) -> None:
    r = await api.get(path, params=params)
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert r.headers["cache-control"] == "public, max-age=60"
    again = await api.get(path, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = await api.get(path, params=params, headers={"If-None-Match": '"0000", W/' + etag})
    assert other.status_code == 304
    stale = await api.get(path, params=params, headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.content == r.content
    # the answer names the question: its canonical form gives the same answer
    body = r.json()
    canonical = await api.get(body["query"]["canonical"])
    assert canonical.status_code == 200 and canonical.headers["etag"] == etag
    as_csv = await api.get(path, params={**params, "format": "csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["etag"] != etag and "x-aiposts-query" in as_csv.headers


async def test_echo_of_the_query(api: httpx.AsyncClient) -> None:
    body = await get(
        api,
        "/v1/trends/top",
        q="Anthropic welfare",
        tag="model welfare",
        by="entity",
        **{"from": "2026-01-01"},
    )
    echo = body["query"]
    assert echo["q"] == "Anthropic welfare" and echo["tz"] == "Asia/Tokyo"
    assert echo["filters"] == {"tag": ["model welfare"]}
    assert echo["start"] == "2026-01-01T00:00:00+09:00" and echo["end"] is None
    assert echo["params"] == {"by": "entity", "type": None, "term_lang": None, "size": 10, "format": "json"}
    assert [e["id"] for e in echo["entities"]] == ["anthropic"]
    assert body["total"] == await search_total(api, echo["search"])


async def test_csv_tables(api: httpx.AsyncClient) -> None:
    params = {"interval": "year", "split": "lang", "tz": "UTC"}
    body = await get(api, "/v1/trends/timeline", **params)
    r = await api.get("/v1/trends/timeline", params={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["series", "label", "bucket", "start", "count", "all", "share"]
    assert len(rows) == len(body["buckets"]) * (1 + len(body["series"]))
    by_series = {(row["series"], row["bucket"]): row for row in rows}
    for b in body["buckets"]:
        assert int(by_series[("query", b["key"])]["count"]) == b["count"]
        assert int(by_series[("query", b["key"])]["all"]) == b["all"]
    for s in body["series"]:
        for sb in s["buckets"]:
            row = by_series[(s["key"], sb["key"])]
            assert int(row["count"]) == sb["count"] and float(row["share"]) == pytest.approx(sb["share"])
    co = await api.get("/v1/trends/cooccurrence", params={"of": "tag:model-welfare", "format": "csv"})
    table = list(csv.reader(io.StringIO(co.text)))
    assert table[0] == ["kind", "key", "label", "type", "count", "total", "share", "lift"]
    assert {row[0] for row in table[1:]} == {"entity", "tag"}
    assert "of=tag%3Amodel-welfare" in co.headers["x-aiposts-query"]


async def test_open_period_with_no_match(api: httpx.AsyncClient) -> None:
    body = await get(api, "/v1/trends/timeline", q='"no such phrase anywhere at all"')
    assert body["total"] == 0 and body["buckets"] == []
    top = await get(api, "/v1/trends/top", q='"no such phrase anywhere at all"')
    assert top["total"] == 0 and top["items"] == []
    co = await get(api, "/v1/trends/cooccurrence", of="tag:no-such-tag-here")
    assert co["anchor_count"] == 0 and co["entities"] == [] and co["tags"] == []
    rising = await get(api, "/v1/trends/rising", q='"no such phrase anywhere at all"')
    assert rising["items"] == [] and rising["period"]["total"] == 0


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/trends/timeline", {"interval": "hour"}, "interval"),
        ("/v1/trends/timeline", {"tz": "Mars/Olympus"}, "tz"),
        ("/v1/trends/timeline", {"tz": "+19:00"}, "tz"),
        ("/v1/trends/timeline", {"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ("/v1/trends/timeline", {"from": "yesterday"}, "from"),
        ("/v1/trends/timeline", {"split": "author"}, "split"),
        ("/v1/trends/timeline", {"split": "tag", "top": 0}, "top"),
        ("/v1/trends/timeline", {"split": "tag", "compare": "x"}, "compare"),
        ("/v1/trends/timeline", {"compare": [str(i) for i in range(11)]}, "compare"),
        ("/v1/trends/timeline", {"compare": "welfare lang:fr"}, "compare"),
        (
            "/v1/trends/timeline",
            {"interval": "day", "from": "1700-01-01", "to": "2026-01-01", "split": "tag"},
            "interval",
        ),
        ("/v1/trends/timeline", {"format": "xml"}, "format"),
        ("/v1/trends/timeline", {"entity": "no-such-entity-zz"}, "entity"),
        ("/v1/trends/top", {"by": "author"}, "by"),
        ("/v1/trends/top", {"by": "tag", "type": "lab"}, "type"),
        ("/v1/trends/top", {"by": "entity", "type": "robot"}, "type"),
        ("/v1/trends/top", {"by": "entity", "term_lang": "ja"}, "term_lang"),
        ("/v1/trends/top", {"size": 1000}, "size"),
        ("/v1/trends/rising", {"by": "source"}, "by"),
        ("/v1/trends/rising", {"baseline_from": "2026-02-01", "baseline_to": "2026-01-01"}, "baseline_to"),
        ("/v1/trends/rising", {"baseline_from": "soon"}, "baseline_from"),
        ("/v1/trends/rising", {"min_count": 0}, "min_count"),
        ("/v1/trends/cooccurrence", {}, "of"),
        ("/v1/trends/cooccurrence", {"of": "anthropic"}, "of"),
        ("/v1/trends/cooccurrence", {"of": "entity:no-such-entity-zz"}, "of"),
        ("/v1/trends/cooccurrence", {"of": "tag:###"}, "of"),
        ("/v1/trends/cooccurrence", {"of": "tag:ai", "sort": "random"}, "sort"),
        ("/v1/digest", {"date": "2026-02-30"}, "date"),
        ("/v1/digest", {"date": "June"}, "date"),
        ("/v1/digest", {"tz": "nowhere"}, "tz"),
    ],
)
async def test_bad_parameters_are_422_by_field(
    api: httpx.AsyncClient, path: str, params: dict[str, Any], field: str
) -> None:
    r = await api.get(path, params=params)
    assert r.status_code == 422, r.text
    assert field in [f["field"] for f in r.json()["error"]["fields"]]


async def test_query_syntax_error_is_400_as_in_search(api: httpx.AsyncClient) -> None:
    for path in ("/v1/trends/timeline", "/v1/trends/top", "/v1/trends/rising", "/v1/digest"):
        r = await api.get(path, params={"q": "welfare lang:fr"})
        assert r.status_code == 400, path
        assert r.json()["error"]["code"] == "query_syntax" and r.json()["error"]["position"] == 13
    r = await api.get("/v1/trends/timeline", params={"q": '"open'})  # repaired, with a warning
    assert r.status_code == 200 and r.json()["query"]["warnings"]
