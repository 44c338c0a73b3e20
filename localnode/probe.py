"""Asking a port what answers there, without any client library."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import urllib.error
import urllib.request
from typing import Any


def get_json(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """The JSON body of a GET, or None when nothing (or no JSON) answers in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as err:
        body = err.read()
    except (OSError, ValueError, http.client.HTTPException):
        # HTTPException: something that is not HTTP answers there (another node's transport port)
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def port_busy(host: str, port: int) -> bool:
    """Whether something listens on, or holds, ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        if sock.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def served_pid(base_url: str, timeout: float = 2.0) -> int | None:
    """Process id of the Elasticsearch node answering at ``base_url``."""
    body = get_json(f"{base_url}/_nodes/_local/process", timeout)
    if not body:
        return None
    for node in (body.get("nodes") or {}).values():
        with contextlib.suppress(AttributeError, KeyError, TypeError, ValueError):
            return int(node["process"]["id"])
    return None


def cluster_health(base_url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    body = get_json(f"{base_url}/_cluster/health", timeout)
    return body if body and "status" in body else None
