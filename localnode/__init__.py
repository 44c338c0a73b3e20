"""The local development Elasticsearch node behind ``aiposts-es``."""

from localnode.errors import LocalNodeError
from localnode.node import LocalNode, NodeStatus, StartResult

__all__ = ["LocalNode", "LocalNodeError", "NodeStatus", "StartResult"]
