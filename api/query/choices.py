"""Comma-separated choices from an allowlist (``facets=`` of search, ``fields=`` of export).

A parameter may be repeated and each value may hold several names split by commas; empty
names are skipped, repeats are kept once in first-seen order, and an unknown name is a 422
naming the parameter.
"""

from __future__ import annotations

from collections.abc import Collection

from api.errors import invalid


def chosen(
    param: str, raw: list[str] | None, allowed: Collection[str], noun: str, *, lower: bool = False
) -> list[str]:
    """The names in ``raw`` (the values of ``param``), each one of ``allowed``."""
    names: list[str] = []
    for item in raw or []:
        for name in item.split(","):
            name = name.strip().lower() if lower else name.strip()
            if not name:
                continue
            if name not in allowed:
                raise invalid(param, f"unknown {noun} {name!r}; choose from {', '.join(allowed)}", item)
            if name not in names:
                names.append(name)
    return names
