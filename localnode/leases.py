"""Leases: test sessions that share one node record themselves, so that the node a test
session started is stopped by the last session still using it, not the first to finish."""

from __future__ import annotations

from pathlib import Path

from localnode.process import is_alive

MARKER = "started-by-tests"


def lease_dir(node_dir: Path) -> Path:
    return node_dir / "leases"


def take(node_dir: Path, holder: int) -> None:
    folder = lease_dir(node_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(holder)).touch()


def live_holders(node_dir: Path) -> list[int]:
    """Holders whose process still runs; leases of dead processes are removed."""
    folder = lease_dir(node_dir)
    holders: list[int] = []
    if not folder.is_dir():
        return holders
    for entry in folder.iterdir():
        if entry.name.isdigit() and is_alive(int(entry.name)):
            holders.append(int(entry.name))
        else:
            entry.unlink(missing_ok=True)
    return holders


def drop(node_dir: Path, holder: int) -> None:
    (lease_dir(node_dir) / str(holder)).unlink(missing_ok=True)


def mark_test_owned(node_dir: Path, owned: bool) -> None:
    marker = node_dir / MARKER
    if owned:
        marker.touch()
    else:
        marker.unlink(missing_ok=True)


def is_test_owned(node_dir: Path) -> bool:
    return (node_dir / MARKER).exists()
