"""The local development Elasticsearch node behind ``aiposts-es``."""

from indexer.localnode.errors import LocalNodeError
from indexer.localnode.node import LocalNode, NodeStatus, StartResult

__all__ = ["LocalNode", "LocalNodeError", "NodeStatus", "StartResult"]
