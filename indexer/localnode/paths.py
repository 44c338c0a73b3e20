"""Where the local node keeps its distribution, configuration, data and logs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.config import Settings

CLUSTER_NAME = "aiposts-local"


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

    @property
    def config(self) -> Path:
        return self.node_dir / "config"

    @property
    def data(self) -> Path:
        return self.node_dir / "data"

    @property
    def logs(self) -> Path:
        return self.node_dir / "logs"

    @property
    def tmp(self) -> Path:
        return self.node_dir / "tmp"

    @property
    def pidfile(self) -> Path:
        return self.node_dir / "elasticsearch.pid"

    @property
    def launcher_log(self) -> Path:
        """Output of ``bin/elasticsearch -d`` itself (startup errors before logging is up)."""
        return self.node_dir / "launcher.log"

    @property
    def server_log(self) -> Path:
        return self.logs / f"{self.cluster_name}.log"

    @property
    def lockfile(self) -> Path:
        return self.node_dir / ".lock"
