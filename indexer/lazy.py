"""Names a package's public face exports but imports only when first asked for (PEP 562).

A face (``indexer.index``, ``indexer.analysis``) lists every public name, while the heavy
modules behind some of them (the tokenizers, the Elasticsearch client) load only for the
callers that use them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, modules: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``modules`` (name ->
    submodule that defines it) is imported from ``package.<submodule>`` on first use, then
    kept in the package so later lookups skip ``__getattr__``."""
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(modules))

    return __getattr__, __dir__
