"""A local multi-node cluster: several members of one distribution on loopback ports, each
with its own config, data, logs and heap (``aiposts-es start --nodes N``)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from indexer.config import Settings
from localnode import leases, probe
from localnode.layout import ClusterLayout
from localnode.locking import file_lock
from localnode.node import Launch, LocalNode, NodeStatus, Report, StartResult, _stderr


class _HasUrl(Protocol):
    @property
    def url(self) -> str: ...


class MemberUrls:
    """``urls`` and ``es_url`` of whatever lists cluster ``members`` that each have a ``url``
    (a cluster, and the outcome of starting one)."""

    members: Sequence[_HasUrl]

    @property
    def urls(self) -> list[str]:
        return [m.url for m in self.members]

    @property
    def es_url(self) -> str:
        """Every member's URL, comma-separated, as AIPOSTS_ES_URL takes them."""
        return ",".join(self.urls)


@dataclass
class ClusterStart(MemberUrls):
    members: list[StartResult]
    seconds: float
    health: dict[str, object]

    @property
    def reused(self) -> bool:
        return all(m.reused for m in self.members)


class LocalCluster(MemberUrls):
    """``nodes`` members on HTTP ports ``settings.es_cluster_port`` and up, each with the heap
    ``settings.es_cluster_heap``."""

    def __init__(self, settings: Settings, nodes: int, report: Report = _stderr) -> None:
        self.settings = settings
        self.layout = ClusterLayout.on_loopback(settings.es_cluster_port, nodes)
        self.report = report
        self.members: list[LocalNode] = [
            LocalNode(
                settings.model_copy(update={"es_port": port, "es_heap": settings.es_cluster_heap}),
                report,
                self.layout,
            )
            for port in self.layout.http_ports
        ]

    def member(self, port: int) -> LocalNode:
        for node in self.members:
            if node.settings.es_port == port:
                return node
        raise KeyError(port)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Every member's lock, always in port order (so two commands cannot deadlock)."""
        with ExitStack() as stack:
            for node in self.members:
                node.paths.node_dir.mkdir(parents=True, exist_ok=True)
                stack.enter_context(file_lock(node.paths.lockfile))
            yield

    # -- inspection -------------------------------------------------------------------

    def status(self) -> list[NodeStatus]:
        return [node.status() for node in self.members]

    def health(self) -> dict[str, object] | None:
        """Cluster health from the first member that answers."""
        for url in self.urls:
            found = probe.cluster_health(url)
            if found is not None:
                return found
        return None

    # -- start and stop ---------------------------------------------------------------

    def start(self, timeout: float = 180.0) -> ClusterStart:
        with self._locked():
            result = self._start_locked(timeout)
            leases.mark_test_owned(self._lease_dir, False)
            return result

    def _start_locked(self, timeout: float) -> ClusterStart:
        began = time.monotonic()
        launches: list[tuple[LocalNode, Launch]] = []
        try:
            # launch every member first: none turns healthy before a majority of them runs
            for node in self.members:
                launches.append((node, node.begin_start()))
            remaining = max(1.0, timeout - (time.monotonic() - began))
            results = [node.finish_start(launch, remaining) for node, launch in launches]
        except BaseException:
            for node, launch in launches:
                if launch.proc is not None:  # only what this call launched
                    with contextlib.suppress(Exception):
                        node._stop_locked(30.0)
            raise
        health = self._wait_all_joined(began + timeout)
        return ClusterStart(results, time.monotonic() - began, health)

    def _wait_all_joined(self, deadline: float) -> dict[str, object]:
        """Health once every member is in the cluster (each answering alone is not enough:
        a member may still be joining)."""
        want = len(self.members)
        while True:
            found = self.health() or {}
            joined = found.get("number_of_nodes", 0)
            if (isinstance(joined, int) and joined >= want) or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    def start_member(self, node: LocalNode, timeout: float = 180.0) -> StartResult:
        """(Re)start one member that stopped or died, leaving the cluster's leases as they are
        (``node.start()`` would mark a cluster that tests started as started by hand)."""
        with file_lock(node.paths.lockfile):
            return node.finish_start(node.begin_start(), timeout)

    def stop(self, timeout: float = 60.0) -> list[int]:
        """Stop every member we started; the pids stopped."""
        with self._locked():
            return self._stop_locked(timeout)

    def _stop_locked(self, timeout: float) -> list[int]:
        leases.mark_test_owned(self._lease_dir, False)
        stopped = []
        for node in self.members:
            pid = node._stop_locked(timeout)
            if pid is not None:
                stopped.append(pid)
        return stopped

    # -- sharing between test sessions --------------------------------------------------

    @property
    def _lease_dir(self) -> Path:
        """Leases of the whole cluster live with its first member."""
        return self.members[0].paths.node_dir

    def start_for_tests(self, holder: int, timeout: float = 180.0) -> ClusterStart:
        """Start or reuse the cluster and hold a lease on it (as ``LocalNode.start_for_tests``)."""
        with self._locked():
            result = self._start_locked(timeout)
            leases.take(self._lease_dir, holder)
            if not result.reused:
                leases.mark_test_owned(self._lease_dir, True)
            return result

    def release_for_tests(self, holder: int, timeout: float = 60.0) -> list[int]:
        with self._locked():
            leases.drop(self._lease_dir, holder)
            if leases.live_holders(self._lease_dir) or not leases.is_test_owned(self._lease_dir):
                return []
            return self._stop_locked(timeout)
