"""The configuration of the local development node: elasticsearch.yml and the JVM options."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import yaml

from indexer.config import Settings
from localnode.errors import LocalNodeError
from localnode.layout import ClusterLayout
from localnode.paths import CLUSTER_NAME, NodePaths

_HEAP_RE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")


def _discovery(
    settings: Settings, paths: NodePaths, layout: ClusterLayout | None
) -> dict[str, object]:
    if layout is None:
        return {
            "cluster.name": CLUSTER_NAME,
            "node.name": f"{CLUSTER_NAME}-{settings.es_port}",
            "discovery.type": "single-node",
        }
    found: dict[str, object] = {
        "cluster.name": layout.name,
        "node.name": layout.node_name(settings.es_port),
        "transport.port": layout.transport_port(settings.es_port),
        "discovery.seed_hosts": [f"127.0.0.1:{p}" for p in layout.transport_ports],
    }
    # only for the very first start: a node that already holds cluster state rejoins through
    # the seed hosts, and must not try to bootstrap a second cluster
    if not (paths.data / "_state").is_dir():
        found["cluster.initial_master_nodes"] = layout.node_names
    return found


def node_settings(
    settings: Settings, paths: NodePaths, layout: ClusterLayout | None = None
) -> dict[str, object]:
    """elasticsearch.yml of an unsecured node bound to the loopback interface: a single node,
    or a member of the local cluster ``layout`` (loopback only, so the production bootstrap
    checks do not apply either way).

    Only settings known to the integ-test distribution (core, x-pack-core, x-pack-security)
    may appear: an unknown one stops the node at startup.
    """
    return {
        **_discovery(settings, paths, layout),
        "network.host": "127.0.0.1",
        "http.port": settings.es_port,
        "path.data": str(paths.data),
        "path.logs": str(paths.logs),
        "xpack.security.enabled": False,
        "xpack.ml.enabled": False,
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "action.destructive_requires_name": False,
        # one very long post (a 20 MB body) is accounted at ~4x its size while indexing;
        # the default 10% of a 1 GB heap would refuse it
        "indexing_pressure.memory.limit": "40%",
    }


def java_opts(heap: str) -> str:
    """ES_JAVA_OPTS with a fixed heap such as ``1g`` or ``512m``."""
    if not _HEAP_RE.match(heap):
        raise LocalNodeError(f"AIPOSTS_ES_HEAP={heap!r} is not a size like 512m or 1g")
    return f"-Xms{heap} -Xmx{heap}"


def write_config(
    settings: Settings, paths: NodePaths, layout: ClusterLayout | None = None
) -> Path:
    """Create the node's folders and config (a copy of the distribution's, then our
    elasticsearch.yml); return the path of elasticsearch.yml."""
    if not paths.config.is_dir():
        staging = paths.config.with_name("config.partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(paths.home / "config", staging)
        os.rename(staging, paths.config)
    for folder in (paths.data, paths.logs, paths.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    target = paths.config / "elasticsearch.yml"
    text = "# Written by aiposts-es on every start; edits here are lost.\n"
    text += yaml.safe_dump(node_settings(settings, paths, layout), sort_keys=False)
    staging_file = target.with_suffix(".yml.tmp")
    staging_file.write_text(text, encoding="utf-8")
    os.replace(staging_file, target)
    return target
