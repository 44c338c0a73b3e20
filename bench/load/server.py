"""The API as a separate process on a free loopback port, for load and latency benches."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from indexer.config import Settings


class NotLoopback(ValueError):
    """Load is only ever sent to this machine."""


def require_loopback(url: str) -> str:
    """``url`` when its host is a loopback address (127.0.0.0/8, ::1, localhost); else raise."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return url
    try:
        if ipaddress.ip_address(host).is_loopback:
            return url
    except ValueError:
        pass
    raise NotLoopback(f"{url}: load is only sent to loopback addresses (127.0.0.1, ::1, localhost)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        key = "AIPOSTS_" + name.upper()
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


@contextlib.contextmanager
def api_server(settings: Settings, startup_timeout: float = 90.0) -> Iterator[str]:
    """Run ``aiposts-api`` for ``settings`` on 127.0.0.1:<free port>; yields its base URL and
    stops the process (ours, by pid) afterwards."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "api.serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
                raise RuntimeError(f"the API exited with {proc.returncode}: {err}")
            try:
                if httpx.get(url + "/health", timeout=5).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API did not answer within {startup_timeout:g} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stderr:
            proc.stderr.close()
