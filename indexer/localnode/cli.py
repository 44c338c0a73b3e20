"""``aiposts-es start|stop|status|logs [--nodes N]``: the local development Elasticsearch node,
or (``--nodes`` 2 or more) a local cluster of N nodes."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from indexer.config import Settings
from indexer.localnode.cluster import LocalCluster
from indexer.localnode.errors import LocalNodeError
from indexer.localnode.node import LocalNode

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


def _stop(node: LocalNode, timeout: float) -> int:
    pid = node.stop(timeout=timeout)
    if pid is None:
        print("Elasticsearch was not running (nothing started by aiposts-es)")
    else:
        print(f"Elasticsearch stopped (pid {pid})")
    return 0


def _status(node: LocalNode) -> int:
    status = node.status()
    if not status.running:
        where = f"port {node.settings.es_port}"
        if status.foreign:
            print(f"not running; {where} is used by another program")
        elif status.pid is not None:
            print(f"starting or unresponsive (pid {status.pid}); nothing answers on {where}")
        else:
            print(f"not running ({where})")
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
    pids = cluster.stop(timeout=timeout)
    if not pids:
        print("Elasticsearch cluster was not running (nothing started by aiposts-es)")
    else:
        print(f"Elasticsearch cluster stopped (pids {', '.join(map(str, pids))})")
    return 0


def _status_cluster(cluster: LocalCluster) -> int:
    statuses = cluster.status()
    for node, status in zip(cluster.members, statuses, strict=True):
        if status.running:
            state = f"running (pid {status.pid})"
        elif status.foreign:
            state = "not running; the port is used by another program"
        elif status.pid is not None:
            state = f"starting or unresponsive (pid {status.pid})"
        else:
            state = "not running"
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


def _cluster_main(args: argparse.Namespace, settings: Settings) -> int:
    cluster = LocalCluster(settings, args.nodes)
    if args.command == "start":
        return _start_cluster(cluster, args.timeout or 180.0)
    if args.command == "stop":
        return _stop_cluster(cluster, args.timeout)
    if args.command == "status":
        return _status_cluster(cluster)
    return _logs_cluster(cluster, args.lines, args.follow)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.nodes != 1:
            return _cluster_main(args, settings)
        node = LocalNode(settings)
        if args.command == "start":
            return _start(node, args.timeout or 120.0)
        if args.command == "stop":
            return _stop(node, args.timeout)
        if args.command == "status":
            return _status(node)
        return _logs(node, args.lines, args.follow)
    except LocalNodeError as exc:
        print(f"aiposts-es: error: {exc.message}", file=sys.stderr)
        for line in exc.details:
            print(f"  {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
