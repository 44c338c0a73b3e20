"""Bad input never raises: every problem is a Reject with a place and a reason."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from indexer.sources import Parsed, Reject, iter_files, read_records
from indexer.sources.jsonl import read_jsonl


def _line(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


def _only_reject(out: list[Parsed | Reject]) -> Reject:
    assert len(out) == 1 and isinstance(out[0], Reject), out
    return out[0]


@pytest.mark.parametrize("name", ["e.jsonl", "e.md", "e.xml", "e.txt"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(b"")
    r = _only_reject(list(read_records([f])))
    assert r.reason == "empty file" and r.location.path == str(f)


def test_whitespace_and_empty_gzip(tmp_path: Path) -> None:
    ws = tmp_path / "ws.jsonl"
    ws.write_bytes(b"\n  \n\n")
    gz = tmp_path / "e.jsonl.gz"
    with gzip.open(gz, "wb"):
        pass
    assert "empty" in _only_reject(list(read_records([ws]))).reason
    assert "empty" in _only_reject(list(read_records([gz]))).reason
    assert "empty" in _only_reject(list(read_jsonl(ws))).reason  # the reader alone says so too


@pytest.mark.parametrize("name", ["g.jsonl", "g.md", "g.txt", "g.xml"])
def test_binary_garbage(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(os.urandom(4096))
    r = _only_reject(list(read_records([f])))
    assert "binary" in r.reason or "malformed XML" in r.reason


def test_short_garbage_without_nul(tmp_path: Path) -> None:
    f = tmp_path / "g.jsonl"
    f.write_bytes(bytes(range(128, 256)) * 4)
    assert "binary" in _only_reject(list(read_records([f]))).reason


def test_invalid_utf8_line_among_good_lines(tmp_path: Path) -> None:
    f = tmp_path / "u.jsonl"
    bad = b'{"id": "bad", "title": "caf\xe9"}\n'
    f.write_bytes(_line({"id": "a", "title": "one"}) + bad + _line({"id": "c", "title": "three"}))
    out = list(read_records([f]))
    assert [type(x) for x in out] == [Parsed, Reject, Parsed]
    r = out[1]
    assert isinstance(r, Reject)
    assert r.reason == "invalid UTF-8 at byte 27 of the line"
    assert r.location.line == 2 and r.location.offset == len(_line({"id": "a", "title": "one"}))
    assert r.raw == bad
    assert str(r) == f"{f}:2: {r.reason}"


def test_truncated_last_line(tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_bytes(_line({"id": "a", "title": "one"}) + b'{"id": "b", "title": "tw')
    out = list(read_records([f]))
    assert isinstance(out[0], Parsed)
    r = out[1]
    assert isinstance(r, Reject) and r.location.line == 2
    assert r.reason.startswith("invalid JSON (truncated last line?)")
    assert r.raw == b'{"id": "b", "title": "tw'


def test_invalid_json_mid_file(tmp_path: Path) -> None:
    f = tmp_path / "j.jsonl"
    f.write_bytes(_line({"id": "a", "title": "one"}) + b"{not json}\n" + _line({"id": "c", "title": "x"}))
    out = list(read_records([f]))
    assert [type(x) for x in out] == [Parsed, Reject, Parsed]
    assert out[1].reason.startswith("invalid JSON: ")  # type: ignore[union-attr]
    assert "truncated" not in out[1].reason  # type: ignore[union-attr]


def test_wrong_field_types(tmp_path: Path) -> None:
    f = tmp_path / "w.jsonl"
    f.write_bytes(b"".join(_line(o) for o in [
        {"id": "a", "title": "t", "tags": 7},
        {"id": "b", "title": 12},
        {"id": "c", "title": "t", "authors": [1, 2]},
        {"id": "d", "title": "t", "published": 20250601},
        {"id": "e", "title": "t", "texts": "not a mapping"},
        "just a string",
    ]))
    out = list(read_records([f]))
    assert all(isinstance(x, Reject) for x in out) and len(out) == 6
    reasons = [x.reason for x in out]  # type: ignore[union-attr]
    assert reasons[0].startswith("tags: Input should be a valid list")
    assert reasons[1].startswith("title: Input should be a valid string")
    assert reasons[2].startswith("authors")
    assert reasons[3].startswith("published: Input should be a valid string")
    assert reasons[4].startswith("texts: Input should be a valid dictionary")
    assert reasons[5] == "expected a JSON object, got a string"


def test_impossible_date(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    f.write_bytes(_line({"id": "a", "title": "t", "published": "2025-02-30"})
                  + _line({"id": "b", "title": "t", "published": "2025-13-01T00:00:00Z"}))
    out = list(read_records([f]))
    assert out[0].reason == (  # type: ignore[union-attr]
        "published: bad date '2025-02-30': day is out of range for month"
    )
    assert out[1].reason.startswith("published: bad date '2025-13-01T00:00:00Z'")  # type: ignore[union-attr]


def test_missing_title_and_body(tmp_path: Path) -> None:
    f = tmp_path / "m.jsonl"
    f.write_bytes(_line({"id": "a", "url": "https://example.com", "tags": ["x"]})
                  + _line({"id": "b", "title": "  ", "body": "\n"}))
    out = list(read_records([f]))
    assert [x.reason for x in out] == ["nothing to index: no title, summary or body"] * 2  # type: ignore[union-attr]


def test_twenty_megabyte_post(tmp_path: Path) -> None:
    body = ("Large language models keep getting larger. " * 480_000)[:20_000_000]
    f = tmp_path / "big.jsonl"
    f.write_bytes(_line({"id": "big", "title": "Big", "body": body}) + _line({"id": "after", "title": "x"}))
    out = list(read_records([f]))
    assert [type(x) for x in out] == [Parsed, Parsed]
    assert len(out[0].post.texts["en"].body) == 20_000_000  # type: ignore[union-attr]
    assert out[1].location.line == 2


def test_overlong_line_is_skipped_not_held(tmp_path: Path) -> None:
    f = tmp_path / "long.jsonl"
    f.write_bytes(_line({"id": "long", "title": "x" * 5000}) + _line({"id": "ok", "title": "y"}))
    out = list(read_jsonl(f, max_line=1000))
    assert isinstance(out[0], Reject) and out[0].reason == "line longer than 1000 bytes"
    assert len(out[0].raw) <= 1001
    assert isinstance(out[1], Parsed) and out[1].location.line == 2
    assert out[1].location.offset == len(_line({"id": "long", "title": "x" * 5000}))


def test_duplicate_ids_both_come_through(tmp_path: Path) -> None:
    f = tmp_path / "dup.jsonl"
    f.write_bytes(_line({"id": "same", "title": "first"}) + _line({"id": "same", "title": "second"}))
    out = list(read_records([f]))
    assert [type(x) for x in out] == [Parsed, Parsed]
    assert [x.post.texts["en"].title for x in out] == ["first", "second"]  # type: ignore[union-attr]


def test_corrupt_gzip_keeps_what_it_read(tmp_path: Path) -> None:
    f = tmp_path / "c.jsonl.gz"
    data = gzip.compress(b"".join(_line({"id": str(i), "title": f"t{i}"}) for i in range(2000)))
    f.write_bytes(data[: len(data) // 2])
    out = list(read_records([f]))
    assert isinstance(out[-1], Reject) and out[-1].reason.startswith("cannot read further")
    assert all(isinstance(x, Parsed) for x in out[:-1]) and len(out) > 1


def test_malformed_xml(tmp_path: Path) -> None:
    f = tmp_path / "m.rss"
    f.write_text("<rss><channel><title>x</title><item><title>a</item></channel></rss>", encoding="utf-8")
    r = _only_reject(list(read_records([f])))
    assert r.reason.startswith("malformed XML: mismatched tag: line 1")


def test_bad_yaml_front_matter(tmp_path: Path) -> None:
    f = tmp_path / "b.md"
    f.write_text("---\ntitle: 'unterminated\ndate: 2025-01-01\n---\nBody\n", encoding="utf-8")
    r = _only_reject(list(read_records([f])))
    assert r.reason.startswith("bad YAML front matter")
    assert r.location.path == str(f)


def test_unknown_and_missing_files(tmp_path: Path) -> None:
    odd = tmp_path / "notes.bin"
    odd.write_text("plain words, no known shape\n", encoding="utf-8")
    missing = tmp_path / "nope.jsonl"
    out = list(read_records([odd, missing]))
    assert out[0].reason.startswith("unknown format")  # type: ignore[union-attr]
    assert out[1].reason == "no such file"  # type: ignore[union-attr]
    assert _only_reject(list(read_records([odd], fmt="yaml"))).reason.startswith("unknown format 'yaml'")


def test_iter_files_walks_sorted_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ["b/2.jsonl", "a.md", "b/1.jsonl.gz", ".hidden/x.jsonl", ".dot.jsonl", "c.csv", "d.txt",
                "README.md", "b/LICENSE.txt"]:
        (tmp_path / rel).write_bytes(b"x")
    names = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert names == ["a.md", "b/1.jsonl.gz", "b/2.jsonl", "d.txt"]
    only = [p.name for p in iter_files([tmp_path], "jsonl")]
    assert only == ["1.jsonl.gz", "2.jsonl"]
    explicit = tmp_path / "c.csv"
    assert list(iter_files([explicit], "jsonl")) == [explicit]
