"""AI entity recognition: knowledge base integrity, both scripts, version rules, counting."""

from __future__ import annotations

import gzip
import itertools
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from api.query import entities as api_entities
from indexer.analysis import entities
from indexer.analysis.entities import EntityRecognizer, get_recognizer
from indexer.analysis.entities_kb import ENTITY_TYPES, load_kb

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_FULL = SHARED / "seeds" / "000_4290f064b0d01753.txt"
CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def rec() -> EntityRecognizer:
    return get_recognizer()


def ids(rec: EntityRecognizer, text: str, lang: str = "en") -> dict[str, int]:
    return rec.recognize(text, lang)


# --- knowledge base -----------------------------------------------------------------------


def test_kb_is_versioned_and_clean() -> None:
    kb = load_kb()
    assert kb.version >= 1
    assert kb.changelog and any(c.get("version") == kb.version for c in kb.changelog)
    assert kb.integrity_problems() == []  # unique ids, parents exist, no cycles, no shared alias
    types = Counter(e.type for e in kb.all_entities())
    assert set(types) == set(ENTITY_TYPES)
    assert len(kb.entities) >= 300


def test_kb_parents_and_ancestors() -> None:
    kb = load_kb()
    for e in kb.all_entities():
        if e.parent:
            assert kb.get(e.parent) is not None, e.id
        chain = kb.ancestors(e.id)
        assert len(chain) == len(set(chain)) and e.id not in chain
    assert kb.ancestors("claude-opus-4.8") == ["claude-opus", "claude", "anthropic"]
    assert kb.ancestors("gpt-5.1") == ["gpt", "openai"]


def test_every_alias_recognizes_its_own_entity(rec: EntityRecognizer) -> None:
    wrong = []
    for a in rec.kb.aliases:
        want = {a.entity_id: 1} if a.entity_id else {}
        got = rec.recognize(a.text, "ja")
        if got != want:
            wrong.append((a.text, want, got))
    assert wrong == []


def test_versioned_models_in_the_kb_match_their_rule(rec: EntityRecognizer) -> None:
    kb = rec.kb
    wrong = []
    for e in kb.all_entities():
        if any(r.parse_id(e.id) for r in kb.rules.values()):
            got = rec.recognize(e.name, "en")
            if got != {e.id: 1}:
                wrong.append((e.id, e.name, got))
    assert wrong == []


# --- both scripts ---------------------------------------------------------------------------


def test_katakana_and_latin_aliases_resolve_to_one_id(rec: EntityRecognizer) -> None:
    assert ids(rec, "アンソロピックが発表", "ja") == {"anthropic": 1}
    assert ids(rec, "Anthropic announced", "en") == {"anthropic": 1}
    assert ids(rec, "米アンスロピックは", "ja") == {"anthropic": 1}
    assert ids(rec, "オープンAIとOpenAI", "ja") == {"openai": 2}


def test_mythos_spellings(rec: EntityRecognizer) -> None:
    for text in ("ミソスの安全性", "ミトスの安全性", "ミュトスの安全性", "Mythos is gated"):
        assert ids(rec, text, "ja") == {"mythos": 1}, text
    assert ids(rec, "新型モデル「クロード・ミュトス」を発表", "ja") == {"mythos": 1}


def test_katakana_alias_not_inside_a_longer_katakana_word(rec: EntityRecognizer) -> None:
    assert "mythos" not in ids(rec, "朝食にミソスープを飲んだ", "ja")
    assert ids(rec, "ミソスープとミソス", "ja") == {"mythos": 1}


def test_strict_japanese_aliases(rec: EntityRecognizer) -> None:
    assert ids(rec, "メタデータとメタ認知", "ja") == {}
    assert ids(rec, "米メタは新モデルを発表", "ja") == {"meta": 1}
    assert ids(rec, "メタ社の決算", "ja") == {"meta": 1}
    assert ids(rec, "クロード・シャノンの情報理論", "ja") == {}
    assert ids(rec, "楽天的な見通し", "ja") == {}
    assert ids(rec, "楽天は発表した", "ja") == {"rakuten": 1}


def test_latin_names_inside_japanese_text(rec: EntityRecognizer) -> None:
    text = "米Anthropicは「Claude Code」と「Opus 4.8」を発表した。"
    assert ids(rec, text, "ja") == {"anthropic": 1, "claude-code": 1, "claude-opus-4.8": 1}
    # full-width Latin is folded, offsets still point into the original
    full = "ＡｎｔｈｒｏｐｉｃのＣｌａｕｄｅ"
    ms = rec.mentions(full, "ja")
    assert [m.entity_id for m in ms] == ["anthropic", "claude"]
    assert [full[m.start:m.end] for m in ms] == [m.text for m in ms] == ["Ａｎｔｈｒｏｐｉｃ", "Ｃｌａｕｄｅ"]


# --- versions -------------------------------------------------------------------------------


def test_versions_are_distinct_entities(rec: EntityRecognizer) -> None:
    assert ids(rec, "Opus 4.8 beats Opus 4.7") == {"claude-opus-4.8": 1, "claude-opus-4.7": 1}


def test_family_only_mention_is_the_family(rec: EntityRecognizer) -> None:
    assert ids(rec, "I asked Claude about it.") == {"claude": 1}


def test_unknown_version_becomes_a_dynamic_entity(rec: EntityRecognizer) -> None:
    assert ids(rec, "Rumours about Opus 4.9 continue.") == {"claude-opus-4.9": 1}
    e = rec.kb.describe("claude-opus-4.9")
    assert e is not None and e.dynamic
    assert (e.type, e.name, e.parent) == ("model", "Claude Opus 4.9", "claude-opus")
    assert rec.kb.get("claude-opus-4.9") is None
    assert rec.kb.ancestors("claude-opus-4.9") == ["claude-opus", "claude", "anthropic"]
    assert ids(rec, "Claude Opus 5, GPT-5.3 and Llama 5") == {
        "claude-opus-5": 1, "gpt-5.3": 1, "llama-5": 1}
    assert ids(rec, "Gemini 3.5 Pro") == {"gemini-3.5-pro": 1}
    g = rec.kb.describe("gemini-3.5-pro")
    assert g is not None and g.parent == "gemini-3.5" and g.name == "Gemini 3.5 Pro"
    assert rec.kb.ancestors("gemini-3.5-pro")[:2] == ["gemini-3.5", "gemini"]
    assert rec.kb.describe("no-such-entity") is None


def test_longest_match_counts_once(rec: EntityRecognizer) -> None:
    assert ids(rec, "Claude Opus 4.8") == {"claude-opus-4.8": 1}
    ms = rec.mentions("We used Claude Opus 4.8 today.")
    assert [(m.entity_id, m.text) for m in ms] == [("claude-opus-4.8", "Claude Opus 4.8")]


def test_counts_with_repeated_mentions(rec: EntityRecognizer) -> None:
    text = ("Anthropic shipped Opus 4.8. Anthropic says Opus 4.8 is better than Opus 4.7; "
            "Claude users agree. アンソロピックのClaude Opus 4.8は好評。")
    assert ids(rec, text, "ja") == {
        "anthropic": 3, "claude-opus-4.8": 3, "claude-opus-4.7": 1, "claude": 1}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("GPT-5.1", "gpt-5.1"),
        ("GPT5.1", "gpt-5.1"),
        ("gpt 5.1", "gpt-5.1"),
        ("GPT‑5.1", "gpt-5.1"),  # non-breaking hyphen
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("o3-mini", "o3-mini"),
        ("Llama-3.1-70B-Instruct", "llama-3.1"),
        ("claude-3-5-sonnet-20241022", "claude-sonnet-3.5"),
        ("Claude 3.5 Sonnet", "claude-sonnet-3.5"),
        ("claude-opus-4-1", "claude-opus-4.1"),
        ("Gemini 2.0 Flash", "gemini-2-flash"),
        ("Gemini 2 Flash", "gemini-2-flash"),
        ("Qwen3-Coder", "qwen-3-coder"),
        ("DeepSeek-V3.1", "deepseek-v3.1"),
        ("Kimi K2.5", "kimi-k2.5"),
        ("GLM-4.5-Air", "glm-4.5-air"),
        ("Gemma 3n", "gemma-3n"),
        ("Gemma 2b", "gemma"),  # a size, not a version
        ("ARC-AGI-2", "arc-agi-2"),
    ],
)
def test_version_spellings(rec: EntityRecognizer, text: str, want: str) -> None:
    assert ids(rec, f"We tried {text} yesterday.") == {want: 1}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("グーグル系のウェイモが都内で試験走行", "waymo"),
        ("ボストン・ダイナミクスの新型ロボット", "boston-dynamics"),
        ("アルファ碁が勝った日", "alphago"),
        ("ジェフリー・ヒントン氏が警告", "geoffrey-hinton"),
        ("データブリックスが買収", "databricks"),
    ],
)
def test_japanese_spellings_of_english_names(rec: EntityRecognizer, text: str, want: str) -> None:
    # knowledge base 2: Japanese posts that write the name in katakana carry the entity too
    assert want in ids(rec, text, "ja")


def test_mentions_do_not_span_lines(rec: EntityRecognizer) -> None:
    assert ids(rec, "Claude\nOpus 4.8") == {"claude": 1, "claude-opus-4.8": 1}


# --- case, blockers, URLs ------------------------------------------------------------------


def test_cased_common_words_do_not_fire_on_prose(rec: EntityRecognizer) -> None:
    prose = ("the meta data moved the cursor; an apple and an amazon parcel; a haiku, a sonnet "
             "and an opus; we grok it; the codex of rules; a devin; open ai research")
    assert ids(rec, prose) == {}
    assert ids(rec, "Meta and Apple; Cursor vs Windsurf; Sonnet beats Haiku") == {
        "meta": 1, "apple": 1, "cursor": 1, "windsurf": 1, "claude-sonnet": 1, "claude-haiku": 1}


def test_blockers_and_urls(rec: EntityRecognizer) -> None:
    assert ids(rec, "Claude Shannon founded information theory.") == {}
    assert ids(rec, "Meta-Learning survey") == {}
    assert ids(rec, "see https://www.anthropic.com/news/claude-opus-4-8 for Claude") == {"claude": 1}


def test_empty_and_plain_text(rec: EntityRecognizer) -> None:
    assert rec.recognize("", "en") == {}
    assert rec.mentions("", "ja") == []
    assert ids(rec, "今日は晴れです。") == {}


def test_mention_offsets_point_into_original(rec: EntityRecognizer) -> None:
    text = "“Claude Code” – GPT‐5 and サム・アルトマン氏"
    ms = rec.mentions(text, "ja")
    assert [m.entity_id for m in ms] == ["claude-code", "gpt-5", "sam-altman"]
    for m in ms:
        assert text[m.start:m.end] == m.text


# --- API lookups ----------------------------------------------------------------------------


def test_match_query(rec: EntityRecognizer) -> None:
    assert rec.match_query("アンソロピック") == ["anthropic"]
    assert rec.match_query("Anthropic") == ["anthropic"]
    assert rec.match_query("Opus 4.8") == ["claude-opus-4.8"]
    assert rec.match_query("meta cursor") == ["meta", "cursor"]  # a query ignores case
    assert rec.match_query("ミソス 安全性") == ["mythos"]
    assert entities.match_query("Anthropic") == ["anthropic"]
    q = "opus 4.8 と アンソロピック"
    assert [(m.entity_id, q[m.start:m.end]) for m in rec.query_mentions(q)] == [
        ("claude-opus-4.8", "opus 4.8"), ("anthropic", "アンソロピック")]


def test_lookup_by_alias_and_prefix(rec: EntityRecognizer) -> None:
    assert rec.kb.lookup("anth")[0].id == "anthropic"
    assert rec.kb.lookup("アンソ")[0].id == "anthropic"
    assert [e.id for e in rec.kb.lookup("ANTHROPIC", 1)] == ["anthropic"]
    assert "claude-opus-4.8" in [e.id for e in rec.kb.lookup("opus 4", 20)]
    first = api_entities.lookup("Opus 4.9", 10)[0]  # with the derived version
    assert first.id == "claude-opus-4.9" and first.dynamic
    assert rec.kb.lookup("zzzz-no-such") == []


def test_get_children_and_module_shortcuts(rec: EntityRecognizer) -> None:
    e = rec.kb.get("anthropic")
    assert e is not None and e.type == "lab" and "アンソロピック" in e.aliases
    kids = [c.id for c in rec.kb.children("claude-opus")]
    assert {"claude-opus-4.7", "claude-opus-4.8"} <= set(kids)
    assert entities.get_recognizer() is rec
    assert load_kb().ancestors("claude-opus-4.8") == ["claude-opus", "claude", "anthropic"]
    assert load_kb().describe("gpt-5.1") == rec.kb.get("gpt-5.1")
    assert [c.id for c in load_kb().children("anthropic")] == kids_of(rec, "anthropic")
    assert load_kb().get("nope") is None
    assert load_kb().lookup("anthropic", 1)[0].id == "anthropic"


def kids_of(rec: EntityRecognizer, eid: str) -> list[str]:
    return [c.id for c in rec.kb.children(eid)]


# --- the seed page --------------------------------------------------------------------------


def test_seed_page_entities(rec: EntityRecognizer) -> None:
    counts = rec.recognize(SEED_FULL.read_text(encoding="utf-8"), "ja")
    for eid in ("anthropic", "claude-opus-4.8", "claude-opus-4.7", "mythos"):
        assert counts.get(eid, 0) > 1, (eid, counts)
    assert counts["claude-opus-4.8"] != counts["claude-opus-4.7"]


# --- corpus slice (slow) --------------------------------------------------------------------


def _records(name: str, n: int, start: int = 0) -> list[dict]:
    with gzip.open(CORPUS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, start, start + n)]


@pytest.mark.slow
def test_corpus_slice_throughput(rec: EntityRecognizer) -> None:
    texts = [
        (p, d["lang"])
        for d in _records("ja_ainewscollector_items", 1000) + _records("en_ainews_issues", 5, 300)
        for p in (d.get("title"), d.get("summary"), d.get("body"))
        if p
    ]
    chars = sum(len(t) for t, _ in texts)
    found: Counter[str] = Counter()
    started = time.process_time()
    for t, lang in texts:
        found.update(rec.recognize(t, lang))
    seconds = time.process_time() - started
    assert {"openai", "google", "anthropic", "chatgpt"} <= set(found)
    assert chars / max(seconds, 1e-6) > 200_000  # chars per CPU second; measured ~2-3M
