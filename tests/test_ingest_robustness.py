"""Bad input never sinks a batch; a killed ingest resumes to the result of one clean run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import corpus_slice

BIG_BODY = ("Claude Opus 4.8 は長い投稿です。" * 10 + "\n") * 75_000  # 30 MB of UTF-8
GOOD = {"title": "A good post about Claude", "body": "Anthropic shipped something.", "lang": "en"}


def _line(**fields: object) -> str:
    return json.dumps({**GOOD, **fields}, ensure_ascii=False)


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    (d / "empty.jsonl").write_bytes(b"")
    (d / "garbage.jsonl").write_bytes(bytes(range(256)) * 64)
    lines = [
        _line(id="ok-1").encode(),
        b'{"id": "bad-utf8", "title": "caf\xe9 \xff", "body": "x", "lang": "en"}',
        _line(id="ok-2", tags=7).encode(),  # wrong type
        _line(id="ok-3", published="2025-02-30").encode(),  # impossible date
        _line(id="dup", body="first version").encode(),
        _line(id="dup", body="first version").encode(),  # identical duplicate: skipped quietly
        _line(id="dup", body="second, different version").encode(),  # conflicting duplicate
        _line(id="ok-4").encode(),
        b'{"id": "truncated", "title": "cut off',
    ]
    (d / "mixed.jsonl").write_bytes(b"\n".join(lines))
    (d / "big.jsonl").write_text(_line(id="big", body=BIG_BODY, lang="ja") + "\n", encoding="utf-8")
    (d / "broken.rss").write_text("<rss><channel><item><title>x</title>", encoding="utf-8")
    (d / "bad-front.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    return d


def test_bad_records_are_rejected_with_location_and_the_rest_indexed(
    es: Elasticsearch, index_name: str, bad_inputs: Path, tmp_path: Path
) -> None:
    ensure_index(es, index_name)
    rejects_path = tmp_path / "rejects.jsonl"
    with RejectsFile(rejects_path, echo=None) as rejects:
        summary = Ingest(es, index_name, rejects, workers=1).run([bad_inputs])
    rejected = [json.loads(line) for line in rejects_path.read_text(encoding="utf-8").splitlines()]
    by_file: dict[str, list[dict]] = {}
    for r in rejected:
        by_file.setdefault(Path(r["path"]).name, []).append(r)

    assert {"empty.jsonl", "garbage.jsonl", "mixed.jsonl", "broken.rss", "bad-front.md"} <= set(by_file)
    assert "empty" in by_file["empty.jsonl"][0]["reason"]
    mixed = {r["line"]: r["reason"] for r in by_file["mixed.jsonl"]}
    assert set(mixed) == {2, 3, 4, 7, 9}, mixed
    assert "UTF-8" in mixed[2]
    assert "duplicate id 'dup'" in mixed[7]
    assert all(r.get("raw") or r.get("raw_base64") for r in by_file["mixed.jsonl"])

    assert summary.rejected == len(rejected)
    assert summary.duplicates == 1
    ids = {h["_id"] for h in es.search(index=index_name, size=50, source=False)["hits"]["hits"]}
    assert ids == {"ok-1", "ok-4", "dup", "big"}
    assert es.get(index=index_name, id="dup")["_source"]["texts"]["en"]["body"] == "first version"

    big = es.get(index=index_name, id="big")["_source"]
    stored = big["texts"]["ja"]["body"]
    assert len(stored.encode("utf-8")) > 20_000_000  # stored whole, never dropped
    assert stored.rstrip() == BIG_BODY.rstrip()
    assert big["analysis_truncated"] is True
    assert "claude-opus-4.8" in big["entity_ids"]
    assert summary.truncated == 1


def _cli(args: list[str], env: dict[str, str], **kw: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,  # type: ignore[arg-type]
    )


def _snapshot(es: Elasticsearch, alias: str) -> dict[str, str]:
    es.indices.refresh(index=alias)
    out = {}
    resp = es.search(index=alias, size=5000, source_includes=["content_hash"], sort=["id"])
    for h in resp["hits"]["hits"]:
        out[h["_id"]] = h["_source"]["content_hash"]
    return out


def _indexed(es: Elasticsearch, alias: str) -> int:
    """Index operations so far, refreshed or not (a count sees only refreshed posts)."""
    stats = es.indices.stats(index=alias, metric="indexing")
    return int(stats["_all"]["primaries"]["indexing"]["index_total"])


def test_killed_ingest_resumes_to_the_clean_result(
    es: Elasticsearch, settings, index_name: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    corpus_slice("ja_ainewscollector_items", 700, data)
    corpus_slice("en_lastweekinai_items", 700, data)
    env = {**os.environ, "AIPOSTS_ES_URL": settings.es_url, "AIPOSTS_WORKERS": "2"}

    clean_alias, killed_alias = index_name + "-clean", index_name + "-killed"
    clean = _cli(["--index", clean_alias, "ingest", str(data), "--rejects", str(tmp_path / "r1")], env)
    out, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err

    victim = _cli(
        ["--index", killed_alias, "ingest", str(data), "--rejects", str(tmp_path / "r2")],
        env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill at the first indexed post: the index is not refreshed
        if es.indices.exists_alias(name=killed_alias) and _indexed(es, killed_alias) > 0:
            break
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    es.indices.refresh(index=killed_alias)
    partial = es.count(index=killed_alias)["count"]
    assert 0 < partial < 1400

    resumed = _cli(
        ["--index", killed_alias, "ingest", str(data), "--rejects", str(tmp_path / "r3"), "--json"], env
    )
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["unchanged"] >= partial  # what the killed run wrote is not written again
    assert _snapshot(es, killed_alias) == _snapshot(es, clean_alias)


def test_cli_exits_clearly_when_elasticsearch_is_unreachable(tmp_path: Path) -> None:
    env = {**os.environ, "AIPOSTS_ES_URL": "http://127.0.0.1:9", "AIPOSTS_ES_TIMEOUT": "1"}
    (tmp_path / "a.jsonl").write_text(_line(id="x") + "\n", encoding="utf-8")
    proc = _cli(["ingest", str(tmp_path / "a.jsonl")], env)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert "unreachable" in err and "127.0.0.1:9" in err


def test_cli_rejects_missing_paths(tmp_path: Path) -> None:
    proc = _cli(["ingest", str(tmp_path / "nope")], dict(os.environ))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "no such file" in err


def test_cli_refuses_an_index_of_an_older_mapping_and_names_reindex(
    es: Elasticsearch, settings: Settings, index_name: str, tmp_path: Path
) -> None:
    alias = index_name + "-old-mapping"
    index = ensure_index(es, alias)
    es.indices.put_mapping(index=index, meta={"mapping_version": 1})  # as an older release made it
    data = tmp_path / "one.jsonl"
    data.write_text('{"id": "m1", "title": "hello", "body": "text", "lang": "en"}\n', encoding="utf-8")
    env = {**os.environ, "AIPOSTS_ES_URL": settings.es_url}
    proc = _cli(["--index", alias, "ingest", str(data), "--rejects", str(tmp_path / "r")], env)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "mapping version 1" in err and "aiposts-index reindex" in err
