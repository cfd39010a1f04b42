"""The preprocessing layer (pandas/numpy only, never torch): schema inference, per-column codecs
and the table <-> float matrix encoding described by spans."""

from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from tabgan.encoding.spans import Activation, Draw, Span, SpanRole
from tabgan.encoding.table import TableEncoder

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
