"""Where the members of a local multi-node cluster listen: consecutive HTTP ports from a base,
each with its transport port a fixed distance above."""

from __future__ import annotations

from dataclasses import dataclass

from localnode.errors import LocalNodeError

LOCAL_CLUSTER_NAME = "aiposts-cluster"
TRANSPORT_OFFSET = 100  # HTTP 9401-9403 -> transport 9501-9503
MAX_NODES = 9


@dataclass(frozen=True)
class ClusterLayout:
    name: str
    http_ports: tuple[int, ...]

    @classmethod
    def on_loopback(cls, base_port: int, nodes: int) -> ClusterLayout:
        if not 2 <= nodes <= MAX_NODES:
            raise LocalNodeError(f"--nodes {nodes}: a local cluster has 2 to {MAX_NODES} nodes")
        if not 1024 <= base_port <= 65535 - TRANSPORT_OFFSET - nodes:
            raise LocalNodeError(
                f"AIPOSTS_ES_CLUSTER_PORT={base_port} leaves no room for {nodes} HTTP ports and "
                f"their transport ports (+{TRANSPORT_OFFSET})"
            )
        return cls(LOCAL_CLUSTER_NAME, tuple(range(base_port, base_port + nodes)))

    @staticmethod
    def transport_port(http_port: int) -> int:
        return http_port + TRANSPORT_OFFSET

    @property
    def transport_ports(self) -> tuple[int, ...]:
        return tuple(self.transport_port(p) for p in self.http_ports)

    def node_name(self, http_port: int) -> str:
        return f"{self.name}-{http_port}"

    @property
    def node_names(self) -> list[str]:
        return [self.node_name(p) for p in self.http_ports]
