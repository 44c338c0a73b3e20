"""``aiposts-api``: with ``--workers N`` (``AIPOSTS_API_WORKERS``) N processes answer on one port,
each with its own app, and stopping the server stops them all; a server settles its startup
objects out of the garbage collector's way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from indexer.config import Settings
from indexer.index.store import ensure_index
from tests.helpers import free_port

REPO = Path(__file__).resolve().parent.parent


def _workers(pid: int) -> list[int]:
    """The worker processes of a uvicorn supervisor (Linux: read from /proc; the other child is
    multiprocessing's resource tracker)."""
    kids = [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [k for k in kids if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()]


def _running(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_several_workers_answer_and_stop_together(es: Elasticsearch, index_settings: Settings) -> None:
    ensure_index(es, index_settings.index)
    port = free_port()
    env = {**os.environ, "AIPOSTS_ES_URL": index_settings.es_url, "AIPOSTS_INDEX": index_settings.index,
           "AIPOSTS_API_WORKERS": "2"}
    cmd = [sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API did not answer within 90 s"
            time.sleep(0.3)
        workers = _workers(proc.pid)
        assert len(workers) == 2
        for _ in range(6):
            r = httpx.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "welfare"}, timeout=30)
            assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert not [p for p in workers if _running(p)]


def test_workers_must_be_one_or_more() -> None:
    out = subprocess.run([sys.executable, "-m", "api.serve", "--workers", "0"], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and "--workers must be at least 1" in out.stderr
    with pytest.raises(ValueError, match="api_workers"):
        Settings.from_env({"AIPOSTS_API_WORKERS": "0"})


def test_a_server_settles_its_startup_objects_out_of_the_collectors_way() -> None:
    # what the server holds after warming up (tokenizers, entity matchers) is frozen, so a full
    # collection during requests walks only what requests made
    script = ("import gc; from api.serve import settle; before = len(gc.get_objects()); settle(); "
              "print(before, gc.get_freeze_count(), len(gc.get_objects()))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                         timeout=300, check=True)
    before, frozen, left = map(int, out.stdout.split())
    assert frozen > before > 0 and left < frozen // 100
