"""A real three-node local cluster (``aiposts-es start --nodes 3``): ingest survives a node
killed with SIGKILL, the API keeps answering with one node down (also when it is the node of
the first URL in AIPOSTS_ES_URL), and the cluster turns green again with nothing lost.

The cluster runs on AIPOSTS_ES_CLUSTER_PORT (default 9401-9403, transport 9501-9503), is
started for this module and stopped after it; the shared nodes (9200, ...) are not touched.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.helpers import scan

from indexer.config import Settings
from indexer.index.store import current_index, ensure_index
from localnode import LocalNodeError, nodeconfig
from localnode.cluster import LocalCluster
from localnode.layout import ClusterLayout
from tests.conftest import OpenApi, delete_matching
from tests.helpers import corpus_slice

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # starts its own 3-node cluster

NODES = 3
SLICES = (("en_lastweekinai_items", 300), ("ja_ainewscollector_items", 300))
INDEX_CLI = [sys.executable, "-m", "indexer.cli"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    nodes = LocalCluster(Settings.from_env(), NODES)
    try:
        nodes.start_for_tests(os.getpid())
    except LocalNodeError as exc:
        pytest.fail(f"local Elasticsearch cluster: {exc}", pytrace=False)
    try:
        yield nodes
    finally:
        nodes.release_for_tests(os.getpid())


@pytest.fixture(scope="module")
def cluster_settings(cluster: LocalCluster) -> Settings:
    return Settings.from_env().model_copy(update={"es_url": cluster.es_url, "replicas": None})


@pytest.fixture(scope="module")
def prefix() -> str:
    """Names of this module's indices on the cluster (deleted after it)."""
    return f"t-cluster-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def ces(cluster_settings: Settings, prefix: str) -> Iterator[Elasticsearch]:
    """A client for every member: it goes on through the members that still answer."""
    client = Elasticsearch(**cluster_settings.es_client_kwargs())  # type: ignore[arg-type]
    try:
        yield client
    finally:
        delete_matching(client, prefix)
        client.close()


def _ingest_cmd(alias: str, folder: Path) -> list[str]:
    return [*INDEX_CLI, "--index", alias, "ingest", str(folder), "--json",
            "--rejects", str(folder.parent / f"rejects-{alias}.jsonl")]


def _ingest_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AIPOSTS_REPLICAS"}
    # three primaries, one replica each (from the cluster size): every node holds copies,
    # so killing any one of them leaves the cluster yellow
    env.update(AIPOSTS_ES_URL=settings.es_url, AIPOSTS_SHARDS="3")
    return env


def _summary(stdout: str) -> dict[str, Any]:
    return json.loads(stdout.strip().splitlines()[-1])


def _stored(es: Elasticsearch, alias: str) -> dict[str, str]:
    """id -> content hash of every post behind ``alias``."""
    return {
        hit["_id"]: hit["_source"]["content_hash"]
        for hit in scan(es, index=alias, _source=["content_hash"], size=500)
    }


def _count(es: Elasticsearch, alias: str) -> int:
    """Posts behind ``alias``; 0 while it does not exist or its shards are not yet started."""
    try:
        return int(es.count(index=alias)["count"])
    except NotFoundError:
        return 0
    except ApiError as exc:
        if exc.meta.status == 503:
            return 0
        raise


async def _api_totals(open_api: OpenApi, settings: Settings, alias: str) -> dict[str, int]:
    """Totals of search, export and timeline through the API, for ``alias``."""
    async with open_api(settings.model_copy(update={"index": alias})) as api:
        found: dict[str, int] = {}
        for name, params in (("search", {}), ("search_q", {"q": "AI"})):
            r = await api.get("/v1/search", params={"size": 1, "highlight": "false", **params})
            assert r.status_code == 200, r.text
            found[name] = r.json()["total"]
        r = await api.get("/v1/export")
        assert r.status_code == 200, r.text
        found["export_header"] = int(r.headers["x-total-count"])
        found["export_lines"] = len(r.content.splitlines())
        r = await api.get("/v1/trends/timeline", params={"interval": "month"})
        assert r.status_code == 200, r.text
        body = r.json()
        found["timeline"] = body["total"]
        found["timeline_buckets"] = sum(b["count"] for b in body["buckets"]) + body["undated"]
        return found


def test_member_config_bootstraps_only_on_the_first_start(tmp_path: Path) -> None:
    settings = Settings.from_env({"AIPOSTS_CACHE_DIR": str(tmp_path), "AIPOSTS_ES_CLUSTER_PORT": "9401"})
    cluster = LocalCluster(settings, 3, report=lambda _: None)
    assert cluster.urls == [f"http://127.0.0.1:{p}" for p in (9401, 9402, 9403)]
    second = cluster.members[1]
    config = nodeconfig.node_settings(second.settings, second.paths, cluster.layout)
    assert config["http.port"] == 9402 and config["transport.port"] == 9502
    assert config["discovery.seed_hosts"] == [f"127.0.0.1:{p}" for p in (9501, 9502, 9503)]
    assert config["cluster.initial_master_nodes"] == [
        "aiposts-cluster-9401", "aiposts-cluster-9402", "aiposts-cluster-9403"]
    assert "discovery.type" not in config
    assert second.paths.node_dir.name == f"{settings.es_version}-aiposts-cluster-9402"
    assert second.settings.es_heap == "512m"
    (second.paths.data / "_state").mkdir(parents=True)  # it has joined a cluster before
    config = nodeconfig.node_settings(second.settings, second.paths, cluster.layout)
    assert "cluster.initial_master_nodes" not in config


@pytest.mark.parametrize(("base", "nodes", "says"), [
    (9401, 1, "2 to 9 nodes"), (9401, 12, "2 to 9 nodes"), (65500, 3, "AIPOSTS_ES_CLUSTER_PORT=65500"),
])
def test_bad_cluster_layouts_are_refused(base: int, nodes: int, says: str) -> None:
    with pytest.raises(LocalNodeError, match=says):
        ClusterLayout.on_loopback(base, nodes)


def test_replicas_follow_the_number_of_data_nodes(
    ces: Elasticsearch, es: Elasticsearch, prefix: str
) -> None:
    on_cluster = ensure_index(ces, f"{prefix}-replicas")  # AIPOSTS_REPLICAS unset
    assert ces.indices.get_settings(index=on_cluster)[on_cluster]["settings"]["index"][
        "number_of_replicas"] == "1"
    ces.cluster.health(index=on_cluster, wait_for_status="green", timeout="60s")
    # the shared single node: no replica, which could never be assigned there
    single = f"{prefix}-replicas-single"
    try:
        name = ensure_index(es, single)
        assert es.indices.get_settings(index=name)[name]["settings"]["index"][
            "number_of_replicas"] == "0"
        assert es.cluster.health(index=name)["status"] == "green"
        # an explicit AIPOSTS_REPLICAS wins
        explicit = ensure_index(ces, f"{prefix}-replicas-explicit", replicas=2)
        assert ces.indices.get_settings(index=explicit)[explicit]["settings"]["index"][
            "number_of_replicas"] == "2"
    finally:
        delete_matching(es, single)


async def test_ingest_and_api_survive_a_killed_node(
    cluster: LocalCluster,
    cluster_settings: Settings,
    ces: Elasticsearch,
    open_api: OpenApi,
    prefix: str,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "slice"
    folder.mkdir()
    for name, n in SLICES:
        corpus_slice(name, n, folder)
    env = _ingest_env(cluster_settings)
    clean, killed = f"{prefix}-clean", f"{prefix}-killed"

    # a clean run on a healthy cluster: the reference
    done = subprocess.run(_ingest_cmd(clean, folder), env=env, capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    reference = _summary(done.stdout)
    assert reference["rejected"] == 0 and reference["indexed"] > 0
    ces.indices.refresh(index=clean)
    want = _stored(ces, clean)
    assert len(want) == reference["indexed"] == _count(ces, clean)
    index = current_index(ces, clean)
    assert index is not None
    replicas = ces.indices.get_settings(index=index)[index]["settings"]["index"]
    assert (replicas["number_of_replicas"], replicas["number_of_shards"]) == ("1", "3")
    before = await _api_totals(open_api, cluster_settings, clean)
    assert before["search"] == before["export_header"] == before["export_lines"] == len(want)
    assert before["timeline"] == before["timeline_buckets"] == len(want)

    # the same ingest, and the node of the FIRST URL is killed once the first posts are in
    victim = cluster.members[0]
    pid = victim.our_pid()
    assert pid is not None
    out_file, err_file = tmp_path / "killed.out", tmp_path / "killed.err"
    with open(out_file, "w") as out_handle, open(err_file, "w") as err_handle:
        job = subprocess.Popen(_ingest_cmd(killed, folder), env=env, stdout=out_handle,
                               stderr=err_handle, text=True)
    try:
        deadline = time.monotonic() + 240
        written_at_kill = 0
        while written_at_kill == 0:
            assert job.poll() is None, f"ingest ended before any post was visible: {err_file.read_text()}"
            assert time.monotonic() < deadline, "no post was indexed in time"
            time.sleep(0.3)
            written_at_kill = _count(ces, killed)
        # keep the lost copies waiting for the node (as for a restart) instead of rebuilding
        # them on the two others after the default minute: the cluster stays yellow meanwhile
        ces.indices.put_settings(index=f"{clean},{killed}",
                                 settings={"index.unassigned.node_left.delayed_timeout": "10m"})
        still_running = job.poll() is None
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        job.wait(timeout=300)
    finally:
        if job.poll() is None:
            job.kill()
    assert still_running, "the ingest had finished before the node was killed"
    assert 0 < written_at_kill < reference["indexed"]
    # it may finish, or reject or give up on what was in flight; the rerun must make it whole
    out, err = out_file.read_text(), err_file.read_text()
    assert job.returncode in (0, 1, 3), err[-3000:]
    first_run = _summary(out) if job.returncode in (0, 1) else {"gave_up": err[-500:]}

    rerun = subprocess.run(_ingest_cmd(killed, folder), env=env, capture_output=True, text=True,
                           check=False, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    ces.indices.refresh(index=killed)
    assert _stored(ces, killed) == want  # same posts, same content, none twice
    assert _count(ces, killed) == len(want)

    # one node down: yellow, and the API answers with the same totals, although the first
    # URL it was given is the dead node's
    health = ces.cluster.health()
    assert (health["status"], health["number_of_nodes"]) == ("yellow", NODES - 1)
    assert cluster_settings.es_hosts[0] == victim.url
    fresh = Elasticsearch(**cluster_settings.es_client_kwargs())  # type: ignore[arg-type]
    try:  # a new client has not marked the dead node yet: it must pass over it
        assert [int(fresh.count(index=clean)["count"]) for _ in range(4)] == [len(want)] * 4
    finally:
        fresh.close()
    assert await _api_totals(open_api, cluster_settings, clean) == before
    assert await _api_totals(open_api, cluster_settings, killed) == before
    seconds_down = time.monotonic() - killed_at

    # the node returns: green, nothing lost
    restart = cluster.start_member(victim)
    green_from = time.monotonic() - restart.seconds
    health = ces.cluster.health(wait_for_status="green", wait_for_nodes=str(NODES), timeout="120s")
    assert health["status"] == "green", health
    to_green = time.monotonic() - green_from
    for alias in (clean, killed):
        assert _stored(ces, alias) == want
        assert _count(ces, alias) == len(want)
    assert await _api_totals(open_api, cluster_settings, killed) == before
    print(
        f"\ncluster figures: posts {len(want)}, visible when killed {written_at_kill}, "
        f"first run {first_run}, rerun {_summary(rerun.stdout)}, "
        f"down for {seconds_down:.1f} s, restart {restart.seconds:.1f} s, "
        f"restart to green {to_green:.1f} s, totals {before}"
    )
