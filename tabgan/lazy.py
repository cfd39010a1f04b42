"""Names a package exports but loads on first use (PEP 562), so importing the package stays
cheap: the command line answers ``--help`` without torch, the GAN reads the span layout without
pandas."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(namespace: dict[str, Any], names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``names[name]`` (a module path) on first access of
    ``name`` and caches the value in ``namespace`` (the package's ``globals()``)."""

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")

    return __getattr__


__all__ = ["lazy_exports"]
