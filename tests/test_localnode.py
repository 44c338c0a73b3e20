"""The local node tooling: JDK discovery, unpacking, config, port checks and status."""

from __future__ import annotations

import os
import socket
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from indexer.config import Settings
from localnode import LocalNode, LocalNodeError, jdk, leases, nodeconfig
from localnode.distribution import artifact_path, unpack
from localnode.paths import NodePaths


def _fake_jdk(base: Path, name: str, version: str) -> Path:
    home = base / name
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f'#!/bin/sh\necho \'openjdk version "{version}" 2025-01-01\' >&2\n')
    java.chmod(0o755)
    return home


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ('openjdk version "25.0.3" 2026-04-21 LTS', ("25.0.3", 25)),
        ('openjdk version "21" 2023-09-19', ("21", 21)),
        ('java version "1.8.0_392"', ("1.8.0_392", 8)),
        ("no version here", None),
    ],
)
def test_parse_java_version(output: str, expected: tuple[str, int] | None) -> None:
    assert jdk.parse_java_version(output) == expected


def test_required_java() -> None:
    assert jdk.required_java_major("9.5.4") == 21
    assert jdk.required_java_major("8.19.7") == 17


def test_discovery_takes_the_newest_suitable_jdk(tmp_path: Path) -> None:
    _fake_jdk(tmp_path, "old", "17.0.2")
    _fake_jdk(tmp_path, "mid", "21.0.4")
    newest = _fake_jdk(tmp_path, "new", "25.0.1")
    found = jdk.find_jdk(21, environ={"PATH": ""}, jvm_dirs=[tmp_path])
    assert (found.home, found.major) == (newest, 25)
    with pytest.raises(LocalNodeError, match="no JDK 30 or newer"):
        jdk.find_jdk(30, environ={"PATH": ""}, jvm_dirs=[tmp_path])
    with pytest.raises(LocalNodeError, match="Java 17"):
        jdk.find_jdk(21, java_home=str(tmp_path / "old"))


def test_discovery_on_this_machine_finds_java_21_or_newer() -> None:
    try:
        found = jdk.find_jdk(21)
    except LocalNodeError:
        if os.environ.get("AIPOSTS_ES_URL"):
            pytest.skip("no local JDK, and none needed: AIPOSTS_ES_URL is set")
        raise
    assert found.major >= 21
    assert found.java.is_file()


def test_unpack_strips_top_folder_and_keeps_modes(tmp_path: Path) -> None:
    archive = tmp_path / "es.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        launcher = zipfile.ZipInfo("elasticsearch-1.0.0/bin/elasticsearch")
        launcher.external_attr = (stat.S_IFREG | 0o755) << 16
        zf.writestr(launcher, "#!/bin/sh\n")
        zf.writestr("elasticsearch-1.0.0/config/jvm.options", "-Xss1m\n")
    unpack(archive, tmp_path / "home")
    assert os.access(tmp_path / "home" / "bin" / "elasticsearch", os.X_OK)
    assert (tmp_path / "home" / "config" / "jvm.options").read_text() == "-Xss1m\n"

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("top/../../escape", "x")
    with pytest.raises(LocalNodeError, match="unsafe"):
        unpack(evil, tmp_path / "evil")
    assert not (tmp_path / "evil").exists()


def test_artifact_path_in_maven_repository() -> None:
    path = artifact_path(Path("/repo"), "9.5.4")
    assert path == Path("/repo/org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
                        "9.5.4/elasticsearch-9.5.4.zip")


def test_config_has_the_required_settings(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, es_port=9333)
    paths = NodePaths.from_settings(settings)
    (paths.home / "config").mkdir(parents=True)
    (paths.home / "config" / "jvm.options").write_text("-Xss1m\n")
    written = nodeconfig.write_config(settings, paths)
    values = yaml.safe_load(written.read_text())
    assert values["discovery.type"] == "single-node"
    assert values["network.host"] == "127.0.0.1"
    assert values["http.port"] == 9333
    assert values["xpack.security.enabled"] is False
    assert values["cluster.routing.allocation.disk.threshold_enabled"] is False
    assert Path(values["path.data"]).is_relative_to(tmp_path)
    assert Path(values["path.logs"]).is_relative_to(tmp_path)
    assert "9333" in values["path.data"] and settings.es_version in values["path.data"]
    assert (paths.config / "jvm.options").is_file()
    assert nodeconfig.java_opts("1g") == "-Xms1g -Xmx1g"
    with pytest.raises(LocalNodeError):
        nodeconfig.java_opts("1 g; rm")


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield int(sock.getsockname()[1])


def test_start_refuses_a_port_used_by_another_program(tmp_path: Path, busy_port: int) -> None:
    node = LocalNode(Settings(cache_dir=tmp_path, es_port=busy_port), report=lambda _: None)
    with pytest.raises(LocalNodeError, match=f"port {busy_port}"):
        node.start(timeout=5)
    status = node.status()
    assert not status.running and status.foreign


def test_status_of_the_running_node(es_url: str) -> None:
    if os.environ.get("AIPOSTS_ES_URL"):
        pytest.skip("tests use an external Elasticsearch (AIPOSTS_ES_URL)")
    node = LocalNode(Settings.from_env(), report=lambda _: None)
    status = node.status()
    assert status.running, status
    assert status.url == es_url
    assert status.pid is not None
    assert status.healthy
    assert node.log_tail(5)
    again = node.start_for_tests(os.getpid())  # what the es_url fixture did: a no-op now
    assert again.reused and again.pid == status.pid


def test_leases_of_dead_sessions_are_pruned(tmp_path: Path) -> None:
    leases.take(tmp_path, os.getpid())
    leases.take(tmp_path, 2**22 + 12345)  # above the default pid_max: never alive
    assert leases.live_holders(tmp_path) == [os.getpid()]
    leases.drop(tmp_path, os.getpid())
    assert leases.live_holders(tmp_path) == []
    leases.mark_test_owned(tmp_path, True)
    assert leases.is_test_owned(tmp_path)
    leases.mark_test_owned(tmp_path, False)
    assert not leases.is_test_owned(tmp_path)
