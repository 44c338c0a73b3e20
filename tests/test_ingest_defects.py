"""Ingest defects of issue 11: a bad line must not take a file down wherever it sits, posts
without a date are counted and named, legacy Japanese encodings are read, reject reasons
group into whole categories, a bad front matter key is reported at its own line, and a
rejected whole file keeps its bytes."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.index.store import ensure_index
from indexer.ingest import Ingest, Summary
from indexer.rejects import RejectsFile
from indexer.sources import Parsed, Reject, read_records
from indexer.sources._io import RAW_CAP, SNIFF
from indexer.status import format_status, index_status


def _post_line(i: int, **extra: object) -> str:
    rec = {"id": f"d-{i}", "title": f"生成AIの記事 その{i}", "body": "大規模言語モデルの性能が上がった。",
           "published": "2025-03-01", **extra}
    return json.dumps(rec, ensure_ascii=False)


def _ingest(es: Elasticsearch, alias: str, paths: list[Path], tmp: Path,
            log: io.StringIO | None = None) -> tuple[Summary, list[dict]]:
    ensure_index(es, alias)
    rejects_path = tmp / f"rejects-{alias}.jsonl"
    with RejectsFile(rejects_path, echo=None) as rejects:
        summary = Ingest(es, alias, rejects, workers=1, log=log).run(paths)
    rejected = ([json.loads(x) for x in rejects_path.read_text(encoding="utf-8").splitlines()]
                if rejects_path.exists() else [])
    return summary, rejected


def _ids(es: Elasticsearch, alias: str) -> set[str]:
    return {h["_id"] for h in es.search(index=alias, size=100, source=False)["hits"]["hits"]}


# --- 1. a NUL byte in one line of a JSON Lines file ---------------------------------------------


@pytest.mark.parametrize("where", ["early", "past-sniff"])
def test_nul_line_is_rejected_alone_wherever_it_falls(
    es: Elasticsearch, index_name: str, tmp_path: Path, where: str
) -> None:
    good = [_post_line(i) for i in range(10)]
    bad = '{"id": "nul", "title": "a\x00b"}'
    # early: line 2, inside the first 8 KB; past-sniff: after padding lines push it beyond them
    pad = [] if where == "early" else [json.dumps({"id": f"pad-{i}", "title": "x" * 900}) for i in range(12)]
    lines = [good[0], bad, *good[1:]] if where == "early" else [*pad, *good[:5], bad, *good[5:]]
    f = tmp_path / "nul.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad_line = lines.index(bad) + 1
    offset = len("\n".join(lines[: bad_line - 1]).encode()) + 1
    assert (offset < SNIFF) == (where == "early")

    alias = f"{index_name}-nul-{where}"
    summary, rejected = _ingest(es, alias, [f], tmp_path)

    assert {f"d-{i}" for i in range(10)} <= _ids(es, alias)
    assert summary.rejected == 1
    (r,) = rejected
    assert (r["line"], r["offset"]) == (bad_line, offset)
    assert r["reason"] == f"binary data: NUL byte at byte {bad.index(chr(0))} of the line"
    assert r["raw"] == bad + "\n"
    assert summary.reject_reasons == {"binary data (NUL bytes)": 1}


def test_control_byte_in_one_feed_item_rejects_only_that_item(tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Post {i}</title><link>https://example.com/p{i}</link>"
        f"<description>About models{chr(0) if i == 2 else ''}.</description></item>\n"
        for i in range(4)
    )
    f = tmp_path / "ctl.rss"
    f.write_text(f'<?xml version="1.0"?>\n<rss><channel><title>Blog</title>\n{items}</channel></rss>\n',
                 encoding="utf-8")
    out = list(read_records([f]))
    assert [type(x).__name__ for x in out] == ["Parsed", "Parsed", "Reject", "Parsed"]
    rej = out[2]
    assert isinstance(rej, Reject) and rej.location.line == 5
    assert rej.reason.startswith("item 3: binary data: control character 0x00 at byte ")
    assert rej.raw.startswith(b"<item>") and b"\x00" in rej.raw


def test_a_file_with_no_json_line_is_one_reject(tmp_path: Path) -> None:
    f = tmp_path / "garbage.jsonl"
    f.write_bytes(b"\x00\x01\x02 not json\n\xff\xfe\xfd more\n\x00\n")
    (r,) = list(read_records([f]))
    assert isinstance(r, Reject) and r.location.line is None
    assert r.reason.startswith("binary data or text in no supported encoding")
    assert "line 1: binary data: NUL byte at byte 0" in r.reason
    assert r.raw == f.read_bytes()


# --- 5. posts without a date ---------------------------------------------------------------------


def test_undated_posts_are_counted_logged_and_in_status(
    es: Elasticsearch, index_name: str, tmp_path: Path
) -> None:
    (tmp_path / "feed.rss").write_text(
        "<rss><channel><title>Blog</title>"
        "<item><title>Dated item</title><link>https://example.com/dated</link>"
        "<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item>"
        "<item><title>Undated item</title><link>https://example.com/undated</link>"
        "<description>No date here.</description></item></channel></rss>\n",
        encoding="utf-8",
    )
    (tmp_path / "page.txt").write_text("生成AIの新しいモデル\n\n本文だけのページで、ヘッダー行がない。\n",
                                       encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text(_post_line(1) + "\n", encoding="utf-8")
    log = io.StringIO()
    alias = f"{index_name}-undated"
    summary, rejected = _ingest(es, alias, [tmp_path], tmp_path, log=log)

    assert rejected == []
    assert (summary.read, summary.indexed, summary.undated) == (4, 4, 2)
    assert "without a date 2" in summary.line()
    assert summary.as_dict()["undated"] == 2
    noted = [ln for ln in log.getvalue().splitlines() if ln.startswith("no date ")]
    assert len(noted) == 2
    assert any(str(tmp_path / "page.txt") in ln for ln in noted)
    assert any(f"{tmp_path / 'feed.rss'}:1" in ln for ln in noted)

    status = index_status(es, alias)
    assert (status["posts"], status["undated"]) == (4, 2)
    assert "undated:      2" in format_status(status)


# --- 6. legacy Japanese encodings ----------------------------------------------------------------

_MD = ("---\ntitle: 生成AIと著作権の議論\ndate: 2025-04-01\ntags: [AI, 法律]\n---\n\n"
       "画像生成モデルの学習データについて議論が続いている。\n")


@pytest.mark.parametrize(
    ("codec", "name"),
    [("cp932", "Shift_JIS (CP932)"), ("euc_jp", "EUC-JP"), ("utf-16", "UTF-16"),
     ("iso2022_jp", "ISO-2022-JP")],
)
def test_legacy_encoded_markdown_is_read(tmp_path: Path, codec: str, name: str) -> None:
    f = tmp_path / "post.md"
    f.write_bytes(_MD.encode(codec))
    (item,) = list(read_records([f]))
    assert isinstance(item, Parsed), item
    assert item.encoding == name
    assert item.post.texts["ja"].title == "生成AIと著作権の議論"  # type: ignore[attr-defined]
    assert [t.display for t in item.post.tags] == ["AI", "法律"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ["AI", "# AI\n", "生成AI", "---\ntitle: モデル\n---\n本文\n"])
def test_short_utf8_stays_utf8(tmp_path: Path, text: str) -> None:
    f = tmp_path / "short.md"
    f.write_text(text, encoding="utf-8")
    (item,) = list(read_records([f]))
    assert isinstance(item, Parsed) and item.encoding is None  # None: plain UTF-8


def test_undecodable_file_is_rejected_naming_the_byte(tmp_path: Path) -> None:
    f = tmp_path / "odd.md"
    f.write_bytes(b"# Title\n\nSome text \x81\xff\xfe\x80 and more\n")
    (r,) = list(read_records([f]))
    assert isinstance(r, Reject) and r.location.offset == 19
    assert r.reason.startswith("not text in any supported encoding (UTF-8, UTF-16/UTF-32")
    assert r.reason.endswith("invalid UTF-8 at byte 19")


def test_legacy_encoded_jsonl_and_feed_are_indexed(
    es: Elasticsearch, index_name: str, tmp_path: Path
) -> None:
    lines = [_post_line(i).encode("cp932") for i in range(5)]
    lines.insert(2, b'{"id": "broken", "title": "\x82\xa0\x82"}')  # a cut-off two-byte character
    (tmp_path / "sjis.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "utf16.jsonl").write_bytes(
        "\n".join(_post_line(i) for i in range(10, 13)).encode("utf-16"))
    (tmp_path / "euc.rss").write_bytes(  # no XML declaration: the encoding is detected
        "<rss><channel><title>技術ブログ</title><item><title>音声認識モデルの公開</title>"
        "<link>https://example.com/euc</link><pubDate>Tue, 04 Mar 2025 09:00:00 GMT</pubDate>"
        "</item></channel></rss>\n".encode("euc_jp"))
    (tmp_path / "sjis.md").write_bytes(_MD.encode("cp932"))
    log = io.StringIO()
    alias = f"{index_name}-enc"
    summary, rejected = _ingest(es, alias, [tmp_path], tmp_path, log=log)

    assert summary.encodings == {"Shift_JIS (CP932)": 6, "UTF-16": 3, "EUC-JP": 1}
    assert "read from EUC-JP 1, Shift_JIS (CP932) 6, UTF-16 3" in summary.line()
    assert summary.indexed == 10 and summary.undated == 0
    (r,) = rejected
    assert (Path(r["path"]).name, r["line"]) == ("sjis.jsonl", 3)
    cut = lines[2].rindex(b"\x82")  # the lead byte left without its second byte
    assert r["reason"] == f"invalid Shift_JIS (CP932) at byte {cut} of the line"
    assert r["encoding"] == "Shift_JIS (CP932)"
    assert base64.b64decode(r["raw_base64"]) == lines[2] + b"\n"
    assert f"encoding {tmp_path / 'sjis.jsonl'}: read as Shift_JIS (CP932)" in log.getvalue()

    ids = _ids(es, alias)
    assert {"d-0", "d-1", "d-2", "d-3", "d-4", "d-10", "d-11", "d-12"} <= ids
    (feed_post,) = es.search(index=alias, query={"term": {"source": "技術ブログ"}})["hits"]["hits"]
    assert feed_post["_source"]["texts"]["ja"]["title"] == "音声認識モデルの公開"
    assert es.get(index=alias, id="d-3")["_source"]["texts"]["ja"]["title"] == "生成AIの記事 その3"


# --- 7. reason keys, the line of a bad front matter key, raw bytes of whole-file rejects ---------


def test_reason_keys_are_whole_categories(es: Elasticsearch, index_name: str, tmp_path: Path) -> None:
    f = tmp_path / "dups.jsonl"
    f.write_text("\n".join([
        _post_line(1), _post_line(1, body="別の本文。"), _post_line(1, body="さらに別の本文。"),
        _post_line(2, tags=7), _post_line(3, published="2025-02-30"), '{"id": "cut", "title": "x',
    ]) + "\n", encoding="utf-8")
    summary, rejected = _ingest(es, f"{index_name}-keys", [f], tmp_path)
    assert summary.reject_reasons == {
        "duplicate id with different content": 2,
        "invalid tags": 1,
        "invalid published": 1,
        "invalid JSON": 1,
    }
    dup = "duplicate id 'd-1' with different content (first at "
    assert sum(r["reason"].startswith(dup) for r in rejected) == 2


def test_bad_front_matter_date_is_reported_at_its_line(tmp_path: Path) -> None:
    f = tmp_path / "bad-date.md"
    f.write_text("---\ntitle: A post\ntags: [ai]\npublished: 2025-02-30\nurl: https://example.com/x\n---\n"
                 "Body.\n", encoding="utf-8")
    (r,) = list(read_records([f]))
    assert isinstance(r, Reject) and r.location.line == 4
    assert r.reason.startswith("front matter date: bad date '2025-02-30'")
    g = tmp_path / "bad-tags.md"
    g.write_text("---\ntitle: A post\ntags: {a: 1}\n---\nBody.\n", encoding="utf-8")
    (r,) = list(read_records([g]))
    assert isinstance(r, Reject) and r.location.line == 3


def test_whole_file_rejects_keep_their_bytes_capped(
    es: Elasticsearch, index_name: str, tmp_path: Path
) -> None:
    small = tmp_path / "small.md"
    small.write_bytes(b"\x00\x01binary\x02" * 10)
    big = tmp_path / "big.txt"
    big.write_bytes(b"\x00" * (RAW_CAP * 2))
    _, rejected = _ingest(es, f"{index_name}-raw", [small, big], tmp_path)
    by_name = {Path(r["path"]).name: r for r in rejected}
    assert by_name["small.md"]["reason"] == "binary data (NUL bytes), not a text file"
    assert base64.b64decode(by_name["small.md"]["raw_base64"]) == small.read_bytes()
    assert base64.b64decode(by_name["big.txt"]["raw_base64"]) == b"\x00" * RAW_CAP
