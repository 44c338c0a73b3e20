"""Start, stop and inspect the local development node."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from indexer.config import Settings
from localnode import distribution, jdk, leases, nodeconfig, probe, process, sysuser
from localnode.errors import LocalNodeError
from localnode.layout import ClusterLayout
from localnode.locking import file_lock
from localnode.paths import CLUSTER_NAME, NodePaths
from localnode.sysuser import Report

HOST = "127.0.0.1"
LOG_LINES_ON_FAILURE = 30


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class NodeStatus:
    url: str
    running: bool
    pid: int | None = None
    health: dict[str, Any] | None = None
    foreign: bool = False  # the port is held by something that is not our node

    @property
    def healthy(self) -> bool:
        return self.health is not None and self.health.get("status") in ("green", "yellow")


@dataclass
class StartResult:
    url: str
    pid: int
    reused: bool
    seconds: float
    health: dict[str, Any] = field(default_factory=dict)


@dataclass
class Launch:
    """A start under way: the node already ran (``pid``) or was just launched (``proc``)."""

    began: float
    pid: int | None = None
    proc: subprocess.Popen[bytes] | None = None


class LocalNode:
    """The aiposts development node for ``settings.es_version`` on ``settings.es_port``; with
    ``layout``, that node as one member of a local multi-node cluster."""

    def __init__(
        self, settings: Settings, report: Report = _stderr, layout: ClusterLayout | None = None
    ) -> None:
        self.settings = settings
        self.layout = layout
        self.paths = NodePaths.from_settings(settings, layout.name if layout else CLUSTER_NAME)
        self.report = report

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.settings.es_port}"

    # -- inspection -------------------------------------------------------------------

    def our_pid(self) -> int | None:
        """Pid from our pid file when that process is alive and is our node."""
        pid = process.read_pid(self.paths.pidfile)
        if pid is None or not process.is_alive(pid):
            return None
        return pid if process.is_node_of(pid, self.paths.home, self.paths.config) else None

    def status(self) -> NodeStatus:
        pid = self.our_pid()
        served = probe.served_pid(self.url)
        if pid is not None and served == pid:
            return NodeStatus(self.url, True, pid, probe.cluster_health(self.url))
        foreign = served is not None or (
            pid is None and probe.port_busy(HOST, self.settings.es_port)
        )
        return NodeStatus(self.url, False, pid, None, foreign=foreign)

    def log_tail(self, lines: int = LOG_LINES_ON_FAILURE) -> list[str]:
        return process.tail(self.paths.server_log, lines)

    # -- start ------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> StartResult:
        """Start the node, or reuse it when it already runs; wait for green or yellow."""
        self.paths.node_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.paths.lockfile):
            result = self._start_locked(timeout)
            # whoever starts it by hand keeps it, even if test sessions started it
            leases.mark_test_owned(self.paths.node_dir, False)
            return result

    def _start_locked(self, timeout: float) -> StartResult:
        return self.finish_start(self.begin_start(), timeout)

    def begin_start(self) -> Launch:
        """Reuse the running node or launch it, without waiting for it to be healthy (the
        members of a cluster are all launched first: none is healthy before a quorum runs).
        The caller holds ``paths.lockfile``."""
        began = time.monotonic()
        pid = self.our_pid()
        if pid is not None:
            return Launch(began, pid=pid)
        self._check_port_free()
        return Launch(began, proc=self._launch())

    def finish_start(self, launch: Launch, timeout: float) -> StartResult:
        """Wait until the node of ``launch`` answers green or yellow."""
        deadline = launch.began + timeout
        if launch.proc is None:
            assert launch.pid is not None
            health = self._wait_healthy(launch.pid, None, deadline)
            return StartResult(self.url, launch.pid, True, time.monotonic() - launch.began, health)
        proc = launch.proc
        try:
            pid = self._wait_pid(proc, deadline)
            health = self._wait_healthy(pid, proc, deadline)
        finally:
            if proc.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=30)
        return StartResult(self.url, pid, False, time.monotonic() - launch.began, health)

    def _check_port_free(self) -> None:
        port = self.settings.es_port
        stale = process.read_pid(self.paths.pidfile)
        if stale is not None and not process.is_alive(stale):
            self.paths.pidfile.unlink(missing_ok=True)
        health = probe.cluster_health(self.url)
        if health is not None:
            raise LocalNodeError(
                f"port {port} is already served by an Elasticsearch that aiposts-es did not "
                f"start (cluster {health.get('cluster_name', '?')}); stop it, or set "
                f"{self._port_variable} to use another port (or AIPOSTS_ES_URL to use that one)"
            )
        if probe.port_busy(HOST, port):
            raise LocalNodeError(
                f"port {port} on {HOST} is in use by another program; free it or set "
                f"{self._port_variable}"
            )
        if self.layout is not None:
            transport = self.layout.transport_port(port)
            if probe.port_busy(HOST, transport):
                raise LocalNodeError(
                    f"transport port {transport} on {HOST} (of the cluster node on {port}) is "
                    f"in use by another program; free it or set {self._port_variable}"
                )

    @property
    def _port_variable(self) -> str:
        return "AIPOSTS_ES_CLUSTER_PORT" if self.layout else "AIPOSTS_ES_PORT"

    def _launch(self) -> subprocess.Popen[bytes]:
        settings, paths = self.settings, self.paths
        java = jdk.find_jdk(jdk.required_java_major(settings.es_version), settings.java_home)
        heap_opts = nodeconfig.java_opts(settings.es_heap)
        home = distribution.ensure_distribution(paths.root, settings.es_version, self.report)
        nodeconfig.write_config(settings, paths, self.layout)
        run_as: sysuser.RunAs | None = None
        if sysuser.is_root():
            run_as = sysuser.ensure_system_user(settings.es_user, self.report)
            sysuser.ensure_reachable(paths.root, run_as, self.report)
            if home.stat().st_uid != run_as.uid:
                sysuser.chown_tree(home, run_as)
            sysuser.chown_tree(paths.node_dir, run_as)
        env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "ES_HOME")}
        env.update(
            ES_JAVA_HOME=str(java.home),
            ES_JAVA_OPTS=heap_opts,
            ES_PATH_CONF=str(paths.config),
            ES_TMPDIR=str(paths.tmp),
        )
        if run_as is not None:
            env.update(HOME=str(paths.node_dir), USER=run_as.name, LOGNAME=run_as.name)
        who = f" as user {run_as.name}" if run_as else ""
        member = f" (node {self.layout.node_name(settings.es_port)})" if self.layout else ""
        self.report(
            f"starting Elasticsearch {settings.es_version} on port {settings.es_port}{member}{who} "
            f"(Java {java.major} at {java.home}, heap {settings.es_heap}) ..."
        )
        paths.launcher_log.unlink(missing_ok=True)
        argv = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(paths.pidfile)]
        return process.launch(argv, env, paths.logs, paths.launcher_log, run_as)

    def _failure(self, message: str) -> LocalNodeError:
        details: list[str] = []
        launcher = process.tail(self.paths.launcher_log, LOG_LINES_ON_FAILURE)
        if launcher:
            details += [f"--- {self.paths.launcher_log}:", *launcher]
        server = self.log_tail()
        if server:
            details += [f"--- last {len(server)} lines of {self.paths.server_log}:", *server]
        return LocalNodeError(message, details)

    def _wait_pid(self, proc: subprocess.Popen[bytes], deadline: float) -> int:
        """The server's pid, once it has written its pid file."""
        while True:
            pid = process.read_pid(self.paths.pidfile)
            if pid is not None and process.is_alive(pid):
                return pid
            code = proc.poll()
            if code is not None and process.read_pid(self.paths.pidfile) is None:
                raise self._failure(f"Elasticsearch exited during startup (exit code {code})")
            if time.monotonic() > deadline:
                proc.kill()
                raise self._failure("Elasticsearch did not start in time")
            time.sleep(0.25)

    def _wait_healthy(
        self, pid: int, proc: subprocess.Popen[bytes] | None, deadline: float
    ) -> dict[str, Any]:
        while True:
            if not process.is_alive(pid):
                code = proc.poll() if proc is not None else None
                suffix = f" (exit code {code})" if code else ""
                raise self._failure(f"Elasticsearch exited during startup{suffix}")
            if proc is not None and proc.poll() not in (None, 0):
                process.terminate(pid, 20.0)
                raise self._failure(f"Elasticsearch failed to start (exit code {proc.poll()})")
            health = probe.cluster_health(self.url)
            if health and health.get("status") in ("green", "yellow"):
                served = probe.served_pid(self.url)
                if served is not None and served != pid:
                    raise LocalNodeError(
                        f"port {self.settings.es_port} answers from pid {served}, "
                        f"not from our node (pid {pid})"
                    )
                return health
            if time.monotonic() > deadline:
                process.terminate(pid, 20.0)
                raise self._failure("Elasticsearch did not become green or yellow in time")
            time.sleep(0.5)

    # -- stop -------------------------------------------------------------------------

    def stop(self, timeout: float = 60.0) -> int | None:
        """Stop the node we started (if any); return its pid, or None when none ran."""
        if not self.paths.node_dir.is_dir():
            return None
        with file_lock(self.paths.lockfile):
            return self._stop_locked(timeout)

    def _stop_locked(self, timeout: float) -> int | None:
        leases.mark_test_owned(self.paths.node_dir, False)
        pid = self.our_pid()
        if pid is None:
            self.paths.pidfile.unlink(missing_ok=True)
            return None
        try:
            killed = process.terminate(pid, timeout)
        except PermissionError as exc:
            raise LocalNodeError(
                f"not allowed to stop Elasticsearch (pid {pid}); run this as the user who "
                f"started it"
            ) from exc
        if killed:
            self.report(f"Elasticsearch (pid {pid}) did not stop in {timeout:.0f} s; killed")
        self.paths.pidfile.unlink(missing_ok=True)
        return pid

    # -- sharing between test sessions --------------------------------------------------

    def start_for_tests(self, holder: int, timeout: float = 120.0) -> StartResult:
        """Start or reuse the node and hold a lease on it; a node started here is marked
        as owned by the tests, and ``release_for_tests`` of the last holder stops it."""
        self.paths.node_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.paths.lockfile):
            result = self._start_locked(timeout)
            leases.take(self.paths.node_dir, holder)
            if not result.reused:
                leases.mark_test_owned(self.paths.node_dir, True)
            return result

    def release_for_tests(self, holder: int, timeout: float = 60.0) -> int | None:
        """Drop the lease; stop the node when tests started it and no other session holds it.
        Returns the pid stopped, if any."""
        with file_lock(self.paths.lockfile):
            leases.drop(self.paths.node_dir, holder)
            if leases.live_holders(self.paths.node_dir):
                return None
            if not leases.is_test_owned(self.paths.node_dir):
                return None
            return self._stop_locked(timeout)
