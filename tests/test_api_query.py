"""The query language, query building, cursors and highlighting, without Elasticsearch."""

from __future__ import annotations

import json

import pytest

from api.present.cursor import Cursor, CursorError, decode, encode
from api.present.highlight import (
    ENTITY_HEAD_CHARS,
    ENTITY_SCAN_CHARS,
    ENTITY_WINDOWS,
    SCAN_CHARS,
    Focus,
    Highlighter,
)
from api.query.build import compile_q
from api.query.params import SearchFilters, build_query, compile_search, filter_clauses, fingerprint
from api.query.syntax import And, Not, Or, QuerySyntaxError, Term, parse

# -- syntax ------------------------------------------------------------------------------------


def words(node: object) -> list[str]:
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Not):
        return ["-" + w for w in words(node.child)]
    return [w for c in node.children for w in words(c)]  # type: ignore[attr-defined]


def test_words_are_anded() -> None:
    tree = parse("model welfare").tree
    assert isinstance(tree, And) and words(tree) == ["model", "welfare"]


def test_phrases_exclusions_or_and_parentheses() -> None:
    tree = parse('"system card" -draft -"GPT-5" (agents OR エージェント)').tree
    assert isinstance(tree, And)
    phrase, not_word, not_phrase, group = tree.children
    assert isinstance(phrase, Term) and phrase.phrase and phrase.text == "system card"
    assert isinstance(not_word, Not) and not_word.child == Term("draft", False, None, 15, 20)
    assert isinstance(not_phrase, Not) and not_phrase.child.phrase  # type: ignore[union-attr]
    assert isinstance(group, Or) and words(group) == ["agents", "エージェント"]


def test_or_binds_looser_than_and() -> None:
    tree = parse("a b OR c").tree
    assert isinstance(tree, Or)
    assert isinstance(tree.children[0], And) and words(tree.children[0]) == ["a", "b"]


def test_field_prefixes() -> None:
    tree = parse('title:welfare source:"The Zvi" tag:alignment entity:anthropic lang:ja author:x').tree
    assert isinstance(tree, And)
    fields = [(c.field, c.text) for c in tree.children]  # type: ignore[union-attr]
    assert fields == [("title", "welfare"), ("source", "The Zvi"), ("tag", "alignment"),
                      ("entity", "anthropic"), ("lang", "ja"), ("author", "x")]


def test_field_prefix_applies_inside_parentheses() -> None:
    tree = parse("title:(agents OR welfare)").tree
    assert isinstance(tree, Or)
    assert {c.field for c in tree.children} == {"title"}  # type: ignore[union-attr]


def test_unknown_prefix_and_inner_hyphen_are_text() -> None:
    tree = parse("https://x.example/a GPT-5.1").tree
    assert words(tree) == ["https://x.example/a", "GPT-5.1"]


def test_full_width_and_curly_forms_act_like_ascii() -> None:
    wide = parse("ｔａｇ：ａｌｉｇｎｍｅｎｔ　“model welfare”　－ｄｒａｆｔ").tree
    assert isinstance(wide, And)
    tag, phrase, excluded = wide.children
    assert isinstance(tag, Term) and tag.field == "tag"
    assert isinstance(phrase, Term) and phrase.phrase and phrase.text == "model welfare"
    assert isinstance(excluded, Not)
    corner = parse("「モデル福祉」").tree
    assert isinstance(corner, Term) and corner.phrase and corner.text == "モデル福祉"


def test_full_width_query_builds_the_same_query() -> None:
    assert build_query("ＯＰＵＳ　４．８") == build_query("Opus 4.8")
    assert build_query("ｔａｇ：Ａｌｉｇｎｍｅｎｔ") == build_query("tag:alignment")
    assert build_query("“model welfare”") == build_query('"model welfare"')


@pytest.mark.parametrize(
    ("q", "position"),
    [('"open phrase', 0), ("(a b", 0), ("a) b", 1), ("a OR", 2), ("title: x", 0), ("()", 0)],
)
def test_slips_degrade_with_a_positioned_warning(q: str, position: int) -> None:
    parsed = parse(q)
    assert parsed.warnings and parsed.warnings[0].position == position


def test_unreadable_queries_raise_with_the_position() -> None:
    with pytest.raises(QuerySyntaxError) as err:
        parse("a lang:fr")
    assert err.value.position == 7
    with pytest.raises(QuerySyntaxError) as deep:
        parse("(" * 40 + "x")
    assert deep.value.position == 16


# -- building ----------------------------------------------------------------------------------


def _strings(obj: object) -> list[str]:
    if isinstance(obj, dict):
        return [k for k in obj] + [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


ALLOWED_KEYS = {
    "bool", "must", "should", "filter", "must_not", "minimum_should_match", "dis_max", "queries",
    "tie_breaker", "match_phrase", "match", "query", "boost", "slop", "operator", "term", "terms",
    "constant_score", "range", "gte", "lt", "lte", "match_all", "nested", "path", "score_mode",
}


def test_user_text_never_becomes_a_key() -> None:
    hostile = 'title:{"script":1} "_source" source:"painless" entity:"x" tag:"*" query_string'
    query = build_query(hostile, SearchFilters(source=["script"], tag=["x"]))
    for key in _strings(query):
        assert key in ALLOWED_KEYS or key.startswith(("search.", "tag_keys", "source_key", "entity_"))
    text = json.dumps(query)
    assert "script" not in {k for k in _strings(query)}
    assert "query_string" in text  # it is a value, not a query type


def test_version_is_one_phrase() -> None:
    text = json.dumps(compile_q("Opus 4.8").query)
    assert '"query": "opus 4.8"' in text
    assert '"query": "4.8"' not in text  # never a loose number


def test_japanese_run_is_split_into_content_words_with_bigrams() -> None:
    text = json.dumps(compile_q("モデルの福祉").query, ensure_ascii=False)
    # each content word matches its tokens or its bigrams; the particle の is not required
    assert '"search.text": {"query": "モデル"' in text
    assert '"search.text_bigram": {"query": "モデ デル"' in text
    assert '"search.text": {"query": "福祉"' in text
    assert '"query": "の"' not in text
    # adjacent content words earn a proximity boost in titles and passages, never a requirement
    assert '"search.passages.text": {"query": "モデル 福祉", "slop"' in text
    required = json.dumps(compile_q("モデルの福祉").query["bool"]["must"], ensure_ascii=False)
    assert "モデル 福祉" not in required


def test_a_word_mecab_splits_scores_as_one_word() -> None:
    # ディープフェイク is 2 tokens and 7 bigrams to the analysis: its token phrase weighs 1/2 and
    # its bigram phrase 2/7 of a one-token word's, so a long katakana word typed once does not
    # outscore the query's other words by its length alone
    import api.query.build as build

    def title_boosts(q: str) -> dict[str, float]:  # of the typed form, not of the entity's Latin name
        title = compile_q(q).query["bool"]["should"][0]["bool"]["should"][0]["dis_max"]["queries"]
        phrases = [(f, v) for a in title for f, v in a["match_phrase"].items()]
        return {f: v["boost"] for f, v in phrases if v["query"] != "deepfake"}

    assert (build.SPLIT_WORD_NORM, build.BIGRAM_NORM) == (1.0, 1.0)
    long_word, short_word = title_boosts("ディープフェイク"), title_boosts("検出")
    assert long_word["search.title"] == pytest.approx(build.TITLE_BOOST / 2, abs=1e-3)
    bigram = build.TITLE_BOOST * build.BIGRAM_FACTOR
    assert long_word["search.title_bigram"] == pytest.approx(bigram * 2 / 7, abs=1e-3)
    assert short_word["search.title"] == pytest.approx(build.TITLE_BOOST)  # one token, one bigram
    assert short_word["search.title_bigram"] == pytest.approx(bigram)
    # English words keep their weight: a name with a version is two tokens on purpose
    assert title_boosts("Opus 4.8")["search.title"] == pytest.approx(build.TITLE_BOOST)


def test_an_entity_name_stays_one_word_where_mecab_splits_it() -> None:
    # ウェイモ is ウェイ + モ (a particle) to MeCab, アルファ碁 loses アルファ; どうやって asks how
    assert [(h.text, h.entity_ids) for h in compile_q("ウェイモの事業拡大").highlight] == [
        ("ウェイモ", ("waymo",)), ("事業", ()), ("拡大", ())]
    assert [h.text for h in compile_q("アルファ碁はどうやって勝ったのか").highlight] == ["アルファ碁", "勝っ"]


def test_only_names_typed_in_japanese_score_their_latin_names() -> None:
    def scoring(q: str) -> str:
        return json.dumps(compile_q(q).query["bool"]["should"], ensure_ascii=False)

    # ヒントン scores Geoffrey Hinton's name and its shortest Latin alias, in titles and passages
    assert '"geoffrey hinton"' in scoring("ヒントンの警告") and '"hinton"' in scoring("ヒントンの警告")
    # a Latin name is scored as typed only, in English and in Japanese queries alike
    assert "ウェイ" not in scoring("Waymo expansion") and "ウェイ" not in scoring("Waymoの事業拡大")


def test_quoted_japanese_stays_an_exact_phrase() -> None:
    text = json.dumps(compile_q('"モデルの福祉"').query["bool"]["must"], ensure_ascii=False)
    assert '"search.text": {"query": "モデル の 福祉"' in text


def test_exclusions_and_field_filters_do_not_score() -> None:
    compiled = compile_q('tag:alignment -welfare')
    assert not compiled.scored
    assert compile_q("welfare").scored


def test_filters() -> None:
    f = SearchFilters(tag=["Model Welfare", "agents"], tag_mode="all", exclude_tag=["#Benchmarks"],
                      source=["The  Zvi"], lang=["ja"], min_importance=3, doc_type=["post"])
    clauses, excluded = filter_clauses(f)
    assert {"term": {"tag_keys": "model-welfare"}} in clauses
    assert {"term": {"tag_keys": "agents"}} in clauses
    assert {"terms": {"source_key": ["the zvi"]}} in clauses
    assert {"range": {"importance": {"gte": 3}}} in clauses
    assert excluded == [{"terms": {"tag_keys": ["benchmarks"]}}]
    anyof, _ = filter_clauses(SearchFilters(tag=["a", "b"], tag_mode="any"))
    assert anyof == [{"terms": {"tag_keys": ["a", "b"]}}]


def test_fingerprint_depends_on_query_filters_and_sort() -> None:
    f = SearchFilters()
    assert fingerprint("a", f, "relevance") == fingerprint("a", SearchFilters(), "relevance")
    assert fingerprint("a", f, "relevance") != fingerprint("b", f, "relevance")
    assert fingerprint("a", f, "relevance") != fingerprint("a", f, "-date")
    assert fingerprint("a", f, "date") != fingerprint("a", SearchFilters(lang=["ja"]), "date")


# -- cursors -----------------------------------------------------------------------------------


KEY = b"a test key for cursors, 32 bytes"


def test_cursor_round_trip() -> None:
    c = Cursor(fingerprint="abc", after=[1.5, 1700000000000, "id-9"], pit="pit==", seen=30, indices=("i-v1",))
    token = encode(c, KEY)
    assert all(ch.isalnum() or ch in "-_" for ch in token)
    assert decode(token, KEY) == c
    assert decode(token, KEY, ("score", "long", "keyword")) == c


@pytest.mark.parametrize("token", ["", "x", "!!!", encode(Cursor("f", [], indices=("i",)), KEY), "A" * 9000,
                                   encode(Cursor("f", [{"script": 1}], indices=("i",)), KEY),  # type: ignore[list-item]
                                   encode(Cursor("f", [1, 2, 3, 4, 5], indices=("i",)), KEY),
                                   encode(Cursor("f", [1], indices=()), KEY),
                                   encode(Cursor("f", [1], indices=("i",)), b"another key")])
def test_bad_cursors_are_refused(token: str) -> None:
    with pytest.raises(CursorError):
        decode(token, KEY)


# -- highlighting ------------------------------------------------------------------------------


JA_MIDDLE = "ＯＰＵＳ　４．８ではモデル福祉が論じられた。Opus 4.7 とは別の話。"
JA_BODY = "前置き。" * 60 + JA_MIDDLE + "後書き。" * 60
EN_BODY = "Intro text. " * 40 + "Models: the section of OPUS 4.8 differs from Opus 4.85 and Opus 4.7. " * 2
TEXTS = {
    "ja": {"title": "Claude Opus 4.8 のシステムカードを読む：モデル福祉の新章", "body": JA_BODY},
    "en": {"title": "Model Welfare in the Opus 4.8 system card", "body": EN_BODY},
}


def snippets_for(q: str) -> list:
    compiled = compile_search(q)
    return Highlighter(compiled.highlight, compiled.entity_ids).snippets({"texts": TEXTS})


def marked(snippets: list) -> list[str]:
    return [s.text[a:b] for s in snippets for a, b in s.marks]


def test_highlights_keep_the_original_case_and_width() -> None:
    found = marked(snippets_for("Opus 4.8"))
    assert "Opus 4.8" in found and "OPUS 4.8" in found and "ＯＰＵＳ　４．８" in found
    assert "Opus 4.85" not in found and "Opus 4.7" not in found
    assert all(m.lower().replace("\u3000", " ") in ("opus 4.8", "ｏｐｕｓ ４．８") for m in found)


def test_japanese_highlights_and_html() -> None:
    snippets = snippets_for("モデル福祉")
    assert {s.field for s in snippets} == {"title", "body"}
    title = next(s for s in snippets if s.field == "title")
    assert "<mark>モデル福祉</mark>" in title.html
    body = next(s for s in snippets if s.field == "body")
    assert len(body.text) <= 170 and body.truncated_start and body.truncated_end


def test_lemma_matches_are_marked_as_written() -> None:
    found = marked(snippets_for("model"))
    assert "Model" in found and "Models" in found


def test_html_is_escaped() -> None:
    compiled = compile_search("card")
    [s] = Highlighter(compiled.highlight, []).snippets({"texts": {"en": {"title": "<b>card</b> & co"}}})
    assert s.html == "&lt;b&gt;<mark>card</mark>&lt;/b&gt; &amp; co"


def _long_body(*mentions: tuple[int, str]) -> dict:
    """An English body of filler words with ``text`` placed at each character offset."""
    body = list("lorem ipsum dolor sit amet " * 6000)  # 162k characters
    for at, text in mentions:
        body[at : at + len(text)] = list(text)
    return {"en": {"title": "A digest", "body": "".join(body)}}


def test_a_long_text_is_highlighted_from_its_first_part_when_that_holds_a_match() -> None:
    compiled = compile_search("welfare")
    hl = Highlighter(compiled.highlight, [])
    early, late = 12_000, 100_000
    texts = _long_body((early, " welfare "), (late, " welfare welfare welfare "))
    [s] = hl.snippets({"texts": texts})
    assert marked([s]) == ["welfare"] and s.truncated_start and s.truncated_end
    # the passage that ranked the post comes first, wherever it is
    [s] = hl.snippets({"texts": texts}, Focus("en", "body", late - 50, late + 200))
    assert marked([s]) == ["welfare"] * 3


def test_a_mention_anywhere_in_a_long_text_is_found() -> None:
    compiled = compile_search("welfare")
    for at in (150, SCAN_CHARS - 4, SCAN_CHARS + 5_000, 161_000):
        [s] = Highlighter(compiled.highlight, []).snippets({"texts": _long_body((at, " welfare "))})
        assert marked([s]) == ["welfare"], at


def test_an_entity_named_in_another_script_is_marked_in_a_long_text_wherever_it_is() -> None:
    # ウェイモ marks Waymo; the recognizer reads the head of a long text first (cheap), then the
    # rest up to ENTITY_SCAN_CHARS, and the offsets are the text's own in both cases
    compiled = compile_search("ウェイモ")
    hl = Highlighter(compiled.highlight, compiled.entity_ids)
    for at in (300, ENTITY_HEAD_CHARS - 3, ENTITY_HEAD_CHARS + 7_000, ENTITY_SCAN_CHARS - 500):
        [s] = hl.snippets({"texts": _long_body((at, " Waymo "))})
        assert marked([s]) == ["Waymo"], at
    # past the bound it is not read (as Elasticsearch's highlighters bound what they analyze)
    assert marked(hl.snippets({"texts": _long_body((ENTITY_SCAN_CHARS + 500, " Waymo "))})) == []
    # the name inside links is no mention: the recognizer reads the places that hold the name
    # first, and reads the rest when there are more such places than it reads at once
    links = [(1_000 + 300 * k, " https://waymo.com/ride ") for k in range(ENTITY_WINDOWS + 5)]
    assert marked(hl.snippets({"texts": _long_body(*links[:3])})) == []
    assert marked(hl.snippets({"texts": _long_body(*links, (40_000, " Waymo "))})) == ["Waymo"]


def test_a_page_without_highlights_reads_no_bodies() -> None:
    from api.query.search_request import search_request

    def source(highlight: bool) -> list[str]:
        request = search_request("welfare", SearchFilters(), "relevance", 10, "5s", highlight=highlight)
        return request.body(None)["source"]

    assert "texts" in source(True) and "key_points" in source(True)
    listed = source(False)
    assert not any(f in listed for f in ("texts", "texts.ja.body", "texts.en.body", "key_points", "impact"))
    assert {"texts.ja.title", "texts.en.title", "texts.ja.summary", "texts.en.summary"} <= set(listed)


def test_every_mention_the_recognizer_finds_holds_an_anchor_of_its_entity() -> None:
    # the highlighter reads only the places that hold an entity's anchors: that is sound only if
    # every mention holds one. Checked on real text: the seeds and 3,000 Japanese and English
    # corpus items
    import gzip
    import itertools

    from api.query import entities
    from indexer.analysis import fold
    from tests.helpers import CORPUS, SEED_FULL, SEED_SHORT

    texts = [SEED_FULL.read_text(encoding="utf-8"), SEED_SHORT.read_text(encoding="utf-8")]
    for name in ("ja_ainewscollector_items", "en_lastweekinai_items", "ja_mamezou_posts"):
        with gzip.open(CORPUS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in itertools.islice(f, 1_000):
                post = json.loads(line)
                texts.append(f"{post.get('title') or ''}\n{post.get('body') or ''}"[:20_000])
    checked, missing = 0, []
    for text in texts:
        lang = "ja" if any("\u3040" <= c <= "\u30ff" for c in text[:2000]) else "en"
        for m in entities.mentions(text, lang):
            words = entities.anchors(m.entity_id)
            if words is None:
                continue
            checked += 1
            surface = fold(text[m.start : m.end]).lower()
            if not any(w in surface for w in words):
                missing.append((m.entity_id, text[m.start : m.end]))
    assert checked > 1_000 and missing == []
