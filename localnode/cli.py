"""``aiposts-es start|stop|status|logs [--nodes N]``: the local development Elasticsearch node,
or (``--nodes`` 2 or more) a local cluster of N nodes."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence

from indexer.config import Settings
from localnode.cluster import LocalCluster
from localnode.errors import LocalNodeError
from localnode.node import LocalNode, NodeStatus

EXIT_NOT_RUNNING = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aiposts-es",
        description="Run a single-node Elasticsearch for development and tests, or with "
        "--nodes N a local cluster of N nodes. Configured by AIPOSTS_ES_VERSION, "
        "AIPOSTS_ES_PORT, AIPOSTS_ES_HEAP, AIPOSTS_ES_CLUSTER_PORT, AIPOSTS_ES_CLUSTER_HEAP, "
        "AIPOSTS_CACHE_DIR, AIPOSTS_JAVA_HOME and AIPOSTS_ES_USER.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start the node (or reuse the running one)")
    start.add_argument("--timeout", type=float, default=None,
                       help="seconds to wait for green or yellow health (default 120; "
                       "180 for a cluster)")
    stop = commands.add_parser("stop", help="stop the node that aiposts-es started")
    stop.add_argument("--timeout", type=float, default=60.0,
                      help="seconds to wait before killing it (default 60)")
    status = commands.add_parser("status", help="whether the node runs, and its cluster health "
                                 f"(exit code {EXIT_NOT_RUNNING} when it does not)")
    logs = commands.add_parser("logs", help="print the end of the server log")
    logs.add_argument("-n", "--lines", type=int, default=50, help="lines to print (default 50)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    for command in (start, stop, status, logs):
        command.add_argument(
            "--nodes", type=int, default=1,
            help="1 (default): the single node on AIPOSTS_ES_PORT; 2 or more: the local cluster "
            "of that many nodes on AIPOSTS_ES_CLUSTER_PORT and up (give stop, status and logs "
            "the same number as start)",
        )
    return parser


def _start(node: LocalNode, timeout: float) -> int:
    result = node.start(timeout=timeout)
    health = result.health.get("status", "?")
    if result.reused:
        print(f"Elasticsearch already running (pid {result.pid}, {health}): {result.url}",
              file=sys.stderr)
    else:
        print(f"Elasticsearch started in {result.seconds:.1f} s (pid {result.pid}, {health})",
              file=sys.stderr)
    print(result.url)
    return 0


def _stopped(what: str, label: str, pids: list[int]) -> int:
    """The line ``stop`` prints, for the single node and for a cluster alike."""
    if pids:
        print(f"{what} stopped ({label} {', '.join(map(str, pids))})")
    else:
        print(f"{what} was not running (nothing started by aiposts-es)")
    return 0


def _not_running(status: NodeStatus, port: int | None = None) -> str:
    """Why a node does not answer, in words; the single node (``port`` given) names its port,
    a cluster member's port is printed next to it already."""
    where = f"port {port}" if port is not None else "the port"
    if status.foreign:
        return f"not running; {where} is used by another program"
    if status.pid is not None:
        tail = f"; nothing answers on {where}" if port is not None else ""
        return f"starting or unresponsive (pid {status.pid}){tail}"
    return f"not running ({where})" if port is not None else "not running"


def _stop(node: LocalNode, timeout: float) -> int:
    pid = node.stop(timeout=timeout)
    return _stopped("Elasticsearch", "pid", [] if pid is None else [pid])


def _status(node: LocalNode) -> int:
    status = node.status()
    if not status.running:
        print(_not_running(status, node.settings.es_port))
        return EXIT_NOT_RUNNING
    health = status.health or {}
    print(f"running: {status.url} (pid {status.pid}), cluster {health.get('cluster_name', '?')} "
          f"health {health.get('status', 'unknown')}, version {node.settings.es_version}")
    return 0


def _logs(node: LocalNode, lines: int, follow: bool) -> int:
    path = node.paths.server_log
    if not path.exists():
        raise LocalNodeError(f"no server log yet at {path}")
    for line in node.log_tail(lines):
        print(line, flush=follow)
    if not follow:
        return 0
    with open(path, errors="replace") as handle:
        handle.seek(0, 2)
        try:
            while True:
                line = handle.readline()
                if line:
                    print(line, end="", flush=True)
                    continue
                if path.exists() and path.stat().st_size < handle.tell():
                    handle.seek(0)  # rotated or truncated
                time.sleep(0.5)
        except KeyboardInterrupt:
            return 0


def _start_cluster(cluster: LocalCluster, timeout: float) -> int:
    result = cluster.start(timeout=timeout)
    verb = "already running" if result.reused else f"started in {result.seconds:.1f} s"
    print(f"Elasticsearch cluster of {len(result.members)} nodes {verb} "
          f"({result.health.get('status', '?')}, {result.health.get('number_of_nodes', '?')} "
          f"nodes joined)", file=sys.stderr)
    for member in result.members:
        print(f"  {member.url} (pid {member.pid})", file=sys.stderr)
    print(result.es_url)
    return 0


def _stop_cluster(cluster: LocalCluster, timeout: float) -> int:
    return _stopped("Elasticsearch cluster", "pids", cluster.stop(timeout=timeout))


def _status_cluster(cluster: LocalCluster) -> int:
    statuses = cluster.status()
    for node, status in zip(cluster.members, statuses, strict=True):
        state = f"running (pid {status.pid})" if status.running else _not_running(status)
        print(f"{cluster.layout.node_name(node.settings.es_port)}: {node.url} {state}")
    health = cluster.health()
    if health is None:
        print("cluster: no member answers")
        return EXIT_NOT_RUNNING
    print(f"cluster {health.get('cluster_name', '?')} health {health.get('status', 'unknown')}, "
          f"{health.get('number_of_nodes', '?')} of {len(cluster.members)} nodes, "
          f"version {cluster.settings.es_version}")
    print(cluster.es_url)
    return 0 if all(s.running for s in statuses) else EXIT_NOT_RUNNING


def _logs_cluster(cluster: LocalCluster, lines: int, follow: bool) -> int:
    if follow:
        raise LocalNodeError("--follow works on one node; read a member's log file instead: "
                             + ", ".join(str(m.paths.server_log) for m in cluster.members))
    for node in cluster.members:
        print(f"--- {node.paths.server_log}:")
        for line in node.log_tail(lines):
            print(line)
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """The command on the single node or, with ``--nodes`` 2 or more, on the local cluster."""
    commands: tuple[Callable[..., int], ...]
    if args.nodes == 1:
        target: LocalNode | LocalCluster = LocalNode(settings)
        commands, wait = (_start, _stop, _status, _logs), 120.0
    else:
        target = LocalCluster(settings, args.nodes)
        commands, wait = (_start_cluster, _stop_cluster, _status_cluster, _logs_cluster), 180.0
    start, stop, status, logs = commands
    if args.command == "start":
        return start(target, args.timeout or wait)
    if args.command == "stop":
        return stop(target, args.timeout)
    if args.command == "status":
        return status(target)
    return logs(target, args.lines, args.follow)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args, Settings.from_env())
    except LocalNodeError as exc:
        print(f"aiposts-es: error: {exc.message}", file=sys.stderr)
        for line in exc.details:
            print(f"  {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
