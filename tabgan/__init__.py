"""tabgan: fast, useful synthetic tabular data.

``TabGAN``, ``TabGANResampler``, ``evaluate`` and ``NotFittedError`` are imported lazily, so
``tabgan.encoding`` and ``tabgan.evaluate`` can be used (and tested) without loading torch, and
the command line answers ``--help`` without loading torch or scikit-learn.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from tabgan.errors import (
    ConditionError,
    DataFileError,
    InvalidDataError,
    InvalidParameterError,
    ModelFileError,
    TabGANError,
)

_LAZY = {
    "NotFittedError": ("tabgan.errors", "NotFittedError"),
    "TabGAN": ("tabgan.model", "TabGAN"),
    "TabGANResampler": ("tabgan.augment", "TabGANResampler"),
    "evaluate": ("tabgan.evaluate", "evaluate"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tabgan' has no attribute {name!r}")


__all__ = [
    "ConditionError",
    "DataFileError",
    "InvalidDataError",
    "InvalidParameterError",
    "ModelFileError",
    "NotFittedError",
    "TabGAN",
    "TabGANError",
    "TabGANResampler",
    "__version__",
    "evaluate",
]
