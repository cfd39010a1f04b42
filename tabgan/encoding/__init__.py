"""The preprocessing layer (pandas/numpy only, never torch): schema inference, per-column codecs
and the table <-> float matrix encoding described by spans.

The span description (:mod:`tabgan.encoding.spans`, numpy only) is imported eagerly: the GAN reads
it without loading pandas. The rest loads on first use.
"""

from __future__ import annotations

from typing import Any

from tabgan.encoding.spans import Activation, Draw, Span, SpanRole

_LAZY = {
    "ColumnKind": "tabgan.encoding.schema",
    "ColumnSpec": "tabgan.encoding.schema",
    "Schema": "tabgan.encoding.schema",
    "infer_schema": "tabgan.encoding.schema",
    "TableEncoder": "tabgan.encoding.table",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Activation",
    "ColumnKind",
    "ColumnSpec",
    "Draw",
    "Schema",
    "Span",
    "SpanRole",
    "TableEncoder",
    "infer_schema",
]
