"""Signed cursors on /v1/search against a real Elasticsearch holding the sample archive: a walk
still returns every post once; an altered cursor, one signed with another key, one from another
index or another query, and bad payloads signed with the real key are all 422 on ``cursor``;
the generated key file is private and shared by restarts and workers."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import Elasticsearch
from pydantic import SecretStr

from api.cursor_key import KEY_FILE, cursor_key
from api.present.cursor import MAX_CURSOR_CHARS, VERSION, Cursor, decode, encode, seal
from indexer.config import Settings
from indexer.index.store import ensure_index
from indexer.ingest import Ingest
from indexer.rejects import RejectsFile
from tests.helpers import SAMPLES, expected_samples

KEY = "the cursor key of these tests, not a secret"
TOKEN_PATTERN = r"[A-Za-z0-9_-]+"
SORTS = ("relevance", "-date", "date", "importance")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def archive(es: Elasticsearch, index_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    ensure_index(es, index_name)
    tmp: Path = tmp_path_factory.mktemp("cursor-archive")
    with RejectsFile(tmp / "rejects.jsonl", echo=None) as rejects:
        summary = Ingest(es, index_name, rejects, workers=1).run([SAMPLES])
    assert summary.rejected == 0 and summary.indexed == expected_samples()["total_posts"]
    return index_name


@pytest.fixture(scope="module")
def other_index(es: Elasticsearch, index_name: str) -> str:
    """A second index of the same shape (its name starts with the module's, so it is cleaned up)
    holding posts the archive does not have."""
    alias = f"{index_name}-other"
    concrete = ensure_index(es, alias)
    for n in range(3):
        es.index(index=alias, id=f"other-{n}", document={"id": f"other-{n}", "source": "elsewhere"})
    es.indices.refresh(index=concrete)
    return concrete


@pytest.fixture(scope="module")
def signed_settings(index_settings: Settings) -> Settings:
    return index_settings.model_copy(update={"cursor_key": SecretStr(KEY)})


@pytest.fixture
async def api(open_api: Any, signed_settings: Settings, archive: str) -> Any:
    async with open_api(signed_settings) as client:
        yield client


def key_bytes() -> bytes:
    return KEY.encode("utf-8")


async def first_page(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    r = await api.get("/v1/search", params={"cursor": "*", "size": 3, "highlight": "false", **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"]
    return body


def assert_cursor_refused(r: httpx.Response, *words: str) -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert [f["field"] for f in error["fields"]] == ["cursor"]
    message = error["fields"][0]["message"]
    for word in words:
        assert word in message, message
    return message


async def follow(api: httpx.AsyncClient, token: str, **params: Any) -> httpx.Response:
    return await api.get("/v1/search", params={"cursor": token, "size": 3, "highlight": "false", **params})


def fields(state: Cursor, **changes: Any) -> list[Any]:
    """The payload of ``state`` in wire order, with ``changes`` (any values at all)."""
    values = {**dataclasses.asdict(state), "indices": list(state.indices), **changes}
    return [VERSION, *(values[k] for k in ("fingerprint", "indices", "after", "pit", "seen", "now_ms"))]


def sign(payload: list[Any]) -> str:
    """A token with any payload at all (NaN included), signed with the tests' key."""
    return seal(json.dumps(payload, allow_nan=True).encode("utf-8"), key_bytes())


# -- walks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", SORTS)
async def test_a_walk_returns_every_post_once(api: httpx.AsyncClient, sort: str) -> None:
    everything = await api.get("/v1/search", params={"size": 100, "sort": sort, "highlight": "false"})
    expected = [h["id"] for h in everything.json()["hits"]]
    assert len(expected) == everything.json()["total"] == expected_samples()["total_posts"]
    walked: list[str] = []
    token = "*"
    while token:
        r = await follow(api, token, size=4, sort=sort)
        assert r.status_code == 200, r.text
        walked.extend(h["id"] for h in r.json()["hits"])
        token = r.json()["next_cursor"]
        if token:
            assert len(token) <= MAX_CURSOR_CHARS
            assert re.fullmatch(TOKEN_PATTERN, token)
    assert walked == expected


async def test_a_page_cursor_continues_with_a_snapshot(api: httpx.AsyncClient) -> None:
    page = await api.get("/v1/search", params={"q": "AI", "size": 2, "sort": "-date"})
    state = decode(page.json()["next_cursor"], key_bytes())
    assert state.pit is None and state.indices  # bound to the index although no PIT yet
    r = await follow(api, page.json()["next_cursor"], q="AI", size=2, sort="-date")
    assert r.status_code == 200, r.text
    paged = await api.get("/v1/search", params={"q": "AI", "size": 2, "page": 2, "sort": "-date"})
    assert [h["id"] for h in r.json()["hits"]] == [h["id"] for h in paged.json()["hits"]]


# -- tokens the server did not issue ---------------------------------------------------------------


async def test_a_flipped_byte_is_refused(api: httpx.AsyncClient) -> None:
    token = (await first_page(api))["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for position in (0, 40, len(raw) - 1):  # in the signature, in the body, at the end
        flipped = raw.copy()
        flipped[position] ^= 0x01
        bad = base64.urlsafe_b64encode(bytes(flipped)).decode("ascii").rstrip("=")
        assert_cursor_refused(await follow(api, bad), "signature")
    for cut in (token[:-1], token[:-6], token[:30]):
        assert_cursor_refused(await follow(api, cut))


async def test_a_cursor_signed_with_another_key_is_refused(api: httpx.AsyncClient) -> None:
    state = decode((await first_page(api))["next_cursor"], key_bytes())
    forged = encode(state, b"somebody else's key of some length")
    assert_cursor_refused(await follow(api, forged), "signature")


async def test_an_old_unsigned_cursor_is_refused(api: httpx.AsyncClient) -> None:
    import zlib

    state = decode((await first_page(api))["next_cursor"], key_bytes())
    old = json.dumps([1, state.fingerprint, state.after, state.pit, state.seen]).encode()
    token = base64.urlsafe_b64encode(zlib.compress(old)).decode().rstrip("=")
    assert_cursor_refused(await follow(api, token))


# -- signed, but for something else ----------------------------------------------------------------


async def test_a_cursor_from_another_query_is_refused(api: httpx.AsyncClient) -> None:
    token = (await first_page(api, q="AI"))["next_cursor"]
    assert_cursor_refused(await follow(api, token, q="welfare"), "another query")
    assert_cursor_refused(await follow(api, token, q="AI", sort="date"), "another query")
    assert_cursor_refused(await follow(api, token, q="AI", lang="ja"), "another query")
    assert (await follow(api, token, q="AI")).status_code == 200


async def test_a_cursor_bound_to_another_index_is_refused(
    api: httpx.AsyncClient, es: Elasticsearch, other_index: str
) -> None:
    state = decode((await first_page(api, sort="-date"))["next_cursor"], key_bytes())
    pit = es.open_point_in_time(index=other_index, keep_alive="1m")["id"]
    try:
        # what the server would have issued had the walk started on the other index
        honest = encode(dataclasses.replace(state, pit=pit, indices=(other_index,)), key_bytes())
        message = assert_cursor_refused(await follow(api, honest, sort="-date"), other_index)
        assert "start again" in message
        # a PIT on the other index under this index's name: its posts must still not come back
        lying = encode(dataclasses.replace(state, pit=pit, seen=0), key_bytes())
        r = await follow(api, lying, sort="-date")
        assert_cursor_refused(r, "another index")
    finally:
        es.close_point_in_time(id=pit)


async def test_a_cursor_after_the_alias_moved_is_refused(api: httpx.AsyncClient, archive: str) -> None:
    state = decode((await first_page(api))["next_cursor"], key_bytes())
    moved = encode(dataclasses.replace(state, indices=(*state.indices, f"{archive}-v99")), key_bytes())
    assert_cursor_refused(await follow(api, moved), "rebuilt or swapped")


async def test_a_first_page_binds_its_cursor_to_the_index_the_alias_names_now(
    api: httpx.AsyncClient, es: Elasticsearch, archive: str, other_index: str
) -> None:
    # page mode remembers what the alias resolved to for a few seconds; hits from elsewhere
    # (the alias moved meanwhile) must bind the next page to where they came from
    async def bound() -> tuple[str, ...]:
        r = await api.get("/v1/search", params={"size": 1, "sort": "-date", "highlight": "false"})
        assert r.status_code == 200, r.text
        return decode(r.json()["next_cursor"], key_bytes()).indices

    home = tuple(es.indices.get_alias(name=archive))
    assert await bound() == home
    es.indices.update_aliases(actions=[{"remove": {"index": home[0], "alias": archive}},
                                       {"add": {"index": other_index, "alias": archive}}])
    try:
        assert await bound() == (other_index,)
    finally:
        es.indices.update_aliases(actions=[{"remove": {"index": other_index, "alias": archive}},
                                           {"add": {"index": home[0], "alias": archive}}])
    assert await bound() == home


# -- bad contents signed with the real key -----------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "after", "words"),
    [
        ("-date", [float("nan"), "x"], "not a sort value"),
        ("-date", [float("inf"), "x"], "not a sort value"),
        ("relevance", [float("-inf"), 1, "x"], "not a sort value"),
        ("-date", ["2024-01-01", "x"], "must be a number"),
        ("-date", [None, "x"], "number"),
        ("-date", [True, "x"], "number"),
        ("-date", [1.5, "x"], "whole number"),
        ("-date", [2**70, "x"], "whole number"),
        ("importance", [2**40, 1, "x"], "whole number"),
        ("-date", [1, None], "text"),
        ("-date", [1, 7], "must be a text"),
        ("-date", [1, {"script": "x"}], "text"),
        ("-date", [1], "sort values where this sort has 2"),
        ("-date", [1, "x", 3], "sort values where this sort has 2"),
    ],
)
async def test_bad_sort_values_are_refused(
    api: httpx.AsyncClient, sort: str, after: list[Any], words: str
) -> None:
    state = decode((await first_page(api, sort=sort))["next_cursor"], key_bytes())
    token = sign(fields(state, after=after))
    assert_cursor_refused(await follow(api, token, sort=sort), words)


@pytest.mark.parametrize("pit", ["junk", "AAAA", "not-a-pit", "!!!", "", 7, "A" * 5000])
async def test_a_junk_point_in_time_is_refused(api: httpx.AsyncClient, pit: Any) -> None:
    state = decode((await first_page(api, sort="-date"))["next_cursor"], key_bytes())
    token = sign(fields(state, pit=pit))
    assert_cursor_refused(await follow(api, token, sort="-date"), "point-in-time")


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "a string",
        None,
        [VERSION, "fp", ["i"], [1, "x"], None, 0],  # a field short
        [VERSION + 1, "fp", ["i"], [1, "x"], None, 0, None],
        [VERSION, 7, ["i"], [1, "x"], None, 0, None],
        [VERSION, "fp", [], [1, "x"], None, 0, None],
        [VERSION, "fp", "i", [1, "x"], None, 0, None],
        [VERSION, "fp", ["i"], [], None, 0, None],
        [VERSION, "fp", ["i"], [1, "x"], None, -1, None],
        [VERSION, "fp", ["i"], [1, "x"], None, "3", None],
    ],
)
async def test_malformed_payloads_are_refused(api: httpx.AsyncClient, payload: Any) -> None:
    assert_cursor_refused(await follow(api, sign(payload), sort="-date"))


@pytest.mark.parametrize("now_ms", [-1, 1.5, "now", True])
async def test_a_bad_recency_time_is_refused(api: httpx.AsyncClient, now_ms: Any) -> None:
    state = decode((await first_page(api))["next_cursor"], key_bytes())
    assert_cursor_refused(await follow(api, sign(fields(state, now_ms=now_ms))), "recency")


async def test_a_relevance_walk_keeps_its_now(api: httpx.AsyncClient) -> None:
    first = decode((await first_page(api, q="AI"))["next_cursor"], key_bytes())
    r = await follow(api, encode(first, key_bytes()), q="AI")
    assert decode(r.json()["next_cursor"], key_bytes()).now_ms == first.now_ms is not None


async def test_a_payload_that_is_not_json_is_refused(api: httpx.AsyncClient) -> None:
    assert_cursor_refused(await follow(api, seal(b"\xff\xfe not json", key_bytes())), "cannot be read")


# -- the key ---------------------------------------------------------------------------------------


def test_the_generated_key_file_is_private_and_reused(tmp_path: Path) -> None:
    settings = Settings.from_env({"AIPOSTS_CACHE_DIR": str(tmp_path / "cache")})
    old_umask = os.umask(0)  # the file must be 0600 whatever the umask
    try:
        key = cursor_key(settings)
    finally:
        os.umask(old_umask)
    path = tmp_path / "cache" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="ascii").strip().encode("ascii") == key and len(key) >= 32
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    # a restart and other workers: separate processes read the same key
    script = ("import sys; from indexer.config import Settings; from api.cursor_key import cursor_key; "
              "sys.stdout.write(cursor_key(Settings.from_env()).decode())")
    env = {**os.environ, "AIPOSTS_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("AIPOSTS_CURSOR_KEY", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.encode() == key


def test_workers_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    script = ("import sys; from indexer.config import Settings; from api.cursor_key import cursor_key; "
              "sys.stdout.write(cursor_key(Settings.from_env()).decode())")
    env = {**os.environ, "AIPOSTS_CACHE_DIR": str(tmp_path / "fresh")}
    env.pop("AIPOSTS_CURSOR_KEY", None)
    workers = [subprocess.Popen([sys.executable, "-c", script], env=env, cwd=REPO, stdout=subprocess.PIPE,
                                text=True) for _ in range(4)]
    keys = {w.communicate(timeout=60)[0] for w in workers}
    assert all(w.returncode == 0 for w in workers)
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert [p.name for p in (tmp_path / "fresh").iterdir()] == [KEY_FILE]


def test_a_configured_key_wins_and_must_be_long_enough(tmp_path: Path) -> None:
    settings = Settings.from_env({"AIPOSTS_CACHE_DIR": str(tmp_path), "AIPOSTS_CURSOR_KEY": "k" * 16})
    assert cursor_key(settings) == b"k" * 16
    assert not (tmp_path / KEY_FILE).exists()
    with pytest.raises(ValueError, match="cursor_key"):
        Settings.from_env({"AIPOSTS_CURSOR_KEY": "short"})


def test_a_spoilt_key_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("tiny\n", encoding="ascii")
    with pytest.raises(RuntimeError, match=KEY_FILE):
        cursor_key(Settings.from_env({"AIPOSTS_CACHE_DIR": str(tmp_path)}))


def test_without_a_writable_cache_dir_the_process_keeps_a_key_of_its_own(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("", encoding="ascii")
    settings = Settings.from_env({"AIPOSTS_CACHE_DIR": str(tmp_path / "a-file" / "cache")})
    key = cursor_key(settings)
    assert len(key) >= 32 and cursor_key(settings) == key  # the same for the life of the process
    assert "AIPOSTS_CURSOR_KEY" in caplog.text


async def test_a_cursor_from_the_key_file_survives_a_restart(
    open_api: Any, index_settings: Settings, archive: str, tmp_path: Path
) -> None:
    settings = index_settings.model_copy(update={"cursor_key": None, "cache_dir": tmp_path})
    async with open_api(settings) as first:
        token = (await first_page(first))["next_cursor"]
    from api import cursor_key as module

    module._loaded.clear()  # as in a new process: the key comes from the file again
    async with open_api(settings) as second:
        assert (await follow(second, token)).status_code == 200
    other = settings.model_copy(update={"cache_dir": tmp_path / "elsewhere"})
    async with open_api(other) as third:  # another machine's key
        assert_cursor_refused(await follow(third, token), "signature")


# -- export ------------------------------------------------------------------------------------------


async def test_export_resume_after_reads_only_this_index(
    api: httpx.AsyncClient, other_index: str
) -> None:
    r = await api.get("/v1/export", params={"fields": "id,source", "resume_after": "0"})
    assert r.status_code == 200
    rows = [json.loads(line) for line in r.text.split("\n") if line]
    assert rows and all(row["source"] != "elsewhere" and not row["id"].startswith("other-") for row in rows)
    assert int(r.headers["X-Export-Remaining"]) == len(rows)
