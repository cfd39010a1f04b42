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
    "Rule": "tabgan.encoding.rules",
    "RuleSet": "tabgan.encoding.rules",
    "detect_rules": "tabgan.encoding.rules",
}


__getattr__ = lazy_exports(globals(), _LAZY)


__all__ = [
    "Activation",
    "ColumnKind",
    "ColumnSpec",
    "Draw",
    "Rule",
    "RuleSet",
    "Schema",
    "Span",
    "SpanRole",
    "TableEncoder",
    "detect_rules",
    "infer_schema",
]
