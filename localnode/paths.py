"""Where the local node keeps its distribution, configuration, data and logs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import overload

from indexer.config import Settings

CLUSTER_NAME = "aiposts-local"


class _InNodeDir:
    """``node_dir / name``, read like an attribute of ``NodePaths``: one rule for every file
    and folder a node keeps in its own directory."""

    def __init__(self, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, paths: None, owner: type) -> _InNodeDir: ...

    @overload
    def __get__(self, paths: NodePaths, owner: type) -> Path: ...

    def __get__(self, paths: NodePaths | None, owner: type) -> Path | _InNodeDir:
        return self if paths is None else paths.node_dir / self.name


@dataclass(frozen=True)
class NodePaths:
    """``<cache_dir>/es/<version>/`` is the unpacked distribution, shared by every port;
    ``<cache_dir>/es/nodes/<version>-<port>/`` holds one node's config, data and logs (a member
    of a local cluster: ``<version>-<cluster name>-<port>/``, so it never shares data with a
    single node that once ran on the same port)."""

    root: Path
    version: str
    port: int
    cluster_name: str = CLUSTER_NAME

    @classmethod
    def from_settings(cls, settings: Settings, cluster_name: str = CLUSTER_NAME) -> NodePaths:
        return cls(root=Path(settings.cache_dir) / "es", version=settings.es_version,
                   port=settings.es_port, cluster_name=cluster_name)

    @property
    def home(self) -> Path:
        return self.root / self.version

    @property
    def node_dir(self) -> Path:
        if self.cluster_name == CLUSTER_NAME:
            return self.root / "nodes" / f"{self.version}-{self.port}"
        return self.root / "nodes" / f"{self.version}-{self.cluster_name}-{self.port}"

    config = _InNodeDir("config")
    data = _InNodeDir("data")
    logs = _InNodeDir("logs")
    tmp = _InNodeDir("tmp")
    pidfile = _InNodeDir("elasticsearch.pid")
    # output of ``bin/elasticsearch -d`` itself (startup errors before logging is up)
    launcher_log = _InNodeDir("launcher.log")
    lockfile = _InNodeDir(".lock")

    @property
    def server_log(self) -> Path:
        return self.logs / f"{self.cluster_name}.log"
