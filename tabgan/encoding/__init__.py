"""The preprocessing layer (pandas/numpy only, never torch): schema inference, per-column codecs
and the table <-> float matrix encoding described by spans."""

from tabgan.encoding.rules import Rule, RuleSet, detect_rules
from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from tabgan.encoding.spans import Activation, Draw, Span, SpanRole
from tabgan.encoding.table import TableEncoder

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
