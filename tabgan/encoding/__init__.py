"""The preprocessing layer (pandas/numpy only, never torch): schema inference, per-column codecs
and the table <-> float matrix encoding described by spans.

The span description (:mod:`tabgan.encoding.spans`, numpy only) is imported eagerly: the GAN reads
it without loading pandas. The rest loads on first use.
"""

from __future__ import annotations

from tabgan.encoding.spans import Activation, Draw, Span, SpanRole
from tabgan.lazy import lazy_exports

_LAZY = {
    "ColumnKind": "tabgan.encoding.schema",
    "ColumnSpec": "tabgan.encoding.schema",
    "Schema": "tabgan.encoding.schema",
    "infer_schema": "tabgan.encoding.schema",
    "TableEncoder": "tabgan.encoding.table",
}


__getattr__ = lazy_exports(globals(), _LAZY)


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
