"""Conditions on columns: parsing, and resolution against what the fitted parts learned.

Condition forms (the ``conditions=`` argument of :meth:`tabgan.TabGAN.sample`)::

    {"income": ">50K"}                 # a scalar means equality
    {"age": (">=", 60)}                # a comparison: one of >=, >, <=, <, ==, !=
    {"age": [(">=", 30), ("<", 40)]}   # several comparisons on one column, all must hold
    {"color": None}                    # the value is missing

Resolution checks each condition against the encoder's columns (kinds, training ranges,
categories and rare values) and the condition sampler's category counts, through their own
accessors, and casts its value to the column's type. Impossible conditions (unknown column,
unseen category, a value outside the training range) fail at once with a
:class:`~tabgan.errors.ConditionError`. :func:`steering` picks the discrete condition that the
generator's conditional vector should carry. The sampling itself is :mod:`tabgan.sampling.engine`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tabgan.encoding import numtext
from tabgan.encoding.convert import numeric_values
from tabgan.encoding.discrete import from_json_value
from tabgan.encoding.rules import COMPARISONS
from tabgan.encoding.schema import ColumnKind, ColumnSpec
from tabgan.errors import ConditionError, ThinConditionWarning

if TYPE_CHECKING:
    from tabgan.sampling.context import SamplingContext

OPS = COMPARISONS
# leftmost operator wins, so "income=>50K" is income == ">50K" and "age>=60" is age >= 60
_TEXT = re.compile(r"^(.+?)(>=|<=|!=|==|=|>|<)(.*)$", re.DOTALL)
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


# ---------------------------------------------------------------------------- parsing
def parse_condition(text: str) -> tuple[str, str, str]:
    """Split ``"column<op>value"`` on the first operator: ``"income=>50K"`` gives
    ``("income", "==", ">50K")``; ``"age>=60"`` gives ``("age", ">=", "60")``.

    Raises
    ------
    ConditionError
        No operator, or an empty column name.
    """
    match = _TEXT.match(text.strip())
    if match is None or not match.group(1).strip():
        raise ConditionError(
            f"cannot read condition {text!r}; write COLUMN=VALUE or COLUMN>=NUMBER "
            "(operators: =, ==, !=, >=, >, <=, <)"
        )
    column, op, value = match.group(1).strip(), match.group(2), match.group(3).strip()
    return column, "==" if op == "=" else op, value


def parse_conditions(texts: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """Turn CLI ``--condition`` strings into a ``conditions=`` mapping (values still text;
    they are cast to each column's type when the conditions are resolved against a model)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for text in texts:
        column, op, value = parse_condition(text)
        out.setdefault(column, []).append((op, value))
    return out


@dataclass(frozen=True)
class Condition:
    """One comparison ``column op value`` with ``value`` cast to the column's type."""

    column: str
    op: str
    value: Any
    text: str  # how the user wrote it, for messages

    def __str__(self) -> str:
        return self.text


def _items(column: str, spec: Any) -> list[tuple[str, Any]]:
    if isinstance(spec, tuple):
        spec = [spec]
    if isinstance(spec, list) and spec and all(isinstance(s, tuple) for s in spec):
        pairs = []
        for s in spec:
            if len(s) != 2 or (s[0] not in OPS and s[0] != "="):
                raise ConditionError(
                    f"condition {s!r} on column {column!r} must be (op, value) with op one of "
                    f"{', '.join(OPS)}"
                )
            pairs.append(("==" if s[0] == "=" else s[0], s[1]))
        return pairs
    if isinstance(spec, (list, set, frozenset, dict)):
        raise ConditionError(
            f"condition on column {column!r} must be a value, an (op, value) tuple or a list "
            f"of such tuples, got {spec!r}"
        )
    return [("==", spec)]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _describe(column: str, op: str, value: Any) -> str:
    if _missing(value):
        shown = "missing"
    elif isinstance(value, str):
        shown = repr(value)
    elif isinstance(value, float):
        shown = f"{value:g}"
    else:
        shown = str(value)
    return f"{column} {op} {shown}"


# ---------------------------------------------------------------------------- resolving
@dataclass
class ColumnCondition:
    """All conditions on one column, resolved against the fitted model."""

    name: str
    spec: ColumnSpec  # the column's schema entry: its kind and how its values read
    conditions: list[Condition]
    span: int | None = None  # index into the layout's cond_spans (discrete columns)
    allowed: np.ndarray | None = None  # category indices that satisfy every condition
    share: float = 1.0  # training share of the allowed categories

    @property
    def kind(self) -> ColumnKind:
        return self.spec.kind

    def masks(self, frame: pd.DataFrame) -> list[np.ndarray]:
        """One boolean mask per condition over the decoded rows."""
        series = frame[self.name]
        if self.kind is ColumnKind.DATETIME:
            fmt = self.spec.options.get("format")
            values = pd.to_datetime(series, format=fmt, errors="coerce") if fmt else series
            values = pd.Series(values)
        elif self.kind in _NUMERIC:  # the numbers the codec models (also numbers as text)
            values = pd.Series(numeric_values(series, self.spec), index=series.index)
        else:
            values = series.astype(object)
        missing = values.isna().to_numpy()
        out = []
        for cond in self.conditions:
            if _missing(cond.value):
                out.append(missing if cond.op == "==" else ~missing)
                continue
            with np.errstate(invalid="ignore"):
                hit = OPS[cond.op](values, cond.value)
            out.append(np.asarray(hit, dtype=bool) & ~missing)
        return out


def _cast(column: str, kind: ColumnKind, value: Any, text: str, options: dict) -> Any:
    if _missing(value):
        return None
    if kind is ColumnKind.DATETIME:
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ConditionError(f"condition {text}: {value!r} is not a date/time") from exc
        if stamp.tz is not None and not options.get("tz"):
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return stamp
    if kind in _NUMERIC:
        if isinstance(value, bool):
            raise ConditionError(f"condition {text}: column {column!r} holds numbers")
        if isinstance(value, str) and options.get("number_format"):  # "$1,000" as written
            parsed = numtext.parse(pd.Series([value]), options["number_format"])[0]
            if np.isfinite(parsed):
                return float(parsed)
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ConditionError(
                f"condition {text}: column {column!r} holds numbers, {value!r} is not one"
            ) from exc
    if kind is ColumnKind.BOOLEAN and isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ConditionError(f"condition {text}: column {column!r} is true/false")
    return value


def _match_category(value: Any, categories: list[Any]) -> Any:
    """The training category equal to ``value``, also when ``value`` is text (from the CLI)."""
    for cat in categories:
        if _missing(cat) or _missing(value):
            if _missing(cat) and _missing(value):
                return cat
            continue
        try:
            if cat == value:
                return cat
        except (TypeError, ValueError):
            continue
    if isinstance(value, str):
        for cat in categories:
            if not _missing(cat) and str(cat) == value:
                return cat
        if value == "" and any(_missing(c) for c in categories):
            return None  # an empty CLI value means "missing"
    raise KeyError(value)


def _resolve_discrete(
    ctx: SamplingContext, col: ColumnCondition, raw: list[tuple[str, Any]]
) -> None:
    codec = ctx.encoder.codec(col.name)
    cats = list(ctx.encoder.categories(col.name))
    rare = list(getattr(codec, "rare_values", []) or [])
    known = cats + rare
    col.span = ctx.condition_sampler.span_index(col.name)
    counts = ctx.condition_sampler.span_counts(col.span).numpy()
    width = len(counts)
    ok = np.ones(width, dtype=bool)
    for op, value in raw:
        text = _describe(col.name, op, value)
        value = _cast(col.name, col.kind, value, text, {})
        numbers = [c for c in known if not _missing(c)]
        if (
            op not in ("==", "!=")
            and isinstance(value, str)
            and numbers
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in numbers)
        ):
            try:  # "grade>=3" from the command line on a column of numeric categories
                value = float(value)
            except ValueError:
                pass
        if op in ("==", "!="):
            try:
                value = _match_category(value, known)
            except KeyError:
                shown = ", ".join(repr(c) for c in cats[:8])
                more = f" ({len(known)} in all)" if len(known) > 8 else ""
                raise ConditionError(
                    f"condition {text}: {value!r} was never seen in column {col.name!r}; "
                    f"known values include {shown}{more}"
                ) from None
        text = _describe(col.name, op, value)
        col.conditions.append(Condition(col.name, op, value, text))
        hits = np.zeros(width, dtype=bool)
        for i, cat in enumerate(cats):
            hits[i] = _holds(cat, op, value, text)
        if width > len(cats):  # the "other" bucket: rare values decoded from it
            hits[len(cats)] = any(_holds(v, op, value, text) for v in rare)
        ok &= hits
    col.allowed = np.flatnonzero(ok & (counts > 0))
    if col.allowed.size == 0:
        joined = " and ".join(c.text for c in col.conditions)
        raise ConditionError(
            f"condition {joined} cannot hold: no training value of {col.name!r} satisfies it "
            f"(values include {', '.join(repr(c) for c in cats[:8])})"
        )
    col.share = float(counts[col.allowed].sum() / max(counts.sum(), 1.0))


def _holds(category: Any, op: str, value: Any, text: str) -> bool:
    if _missing(value) or _missing(category):
        both = _missing(value) and _missing(category)
        return both if op == "==" else (not both if op == "!=" else False)
    try:
        return bool(OPS[op](category, value))
    except TypeError:
        raise ConditionError(
            f"condition {text}: cannot compare the values of this column with {value!r}"
        ) from None


def _resolve_numeric(
    ctx: SamplingContext, col: ColumnCondition, raw: list[tuple[str, Any]], spec: Any
) -> None:
    codec = ctx.encoder.codec(col.name)
    lo, hi = float(codec.minimum), float(codec.maximum)
    states = list(getattr(codec, "states", []) or [])
    low, high = -math.inf, math.inf  # the interval every condition allows
    for op, value in raw:
        text = _describe(col.name, op, value)
        value = _cast(col.name, col.kind, value, text, spec.options)
        text = _describe(col.name, op, value)
        col.conditions.append(Condition(col.name, op, value, text))
        if value is None:
            if op == "==" and "nan" not in states:
                raise ConditionError(f"condition {text} cannot hold: {col.name!r} is never missing")
            if op not in ("==", "!="):
                raise ConditionError(f"condition {text}: only == and != compare with missing")
            continue
        x = value.value / 1e9 if isinstance(value, pd.Timestamp) else float(value)
        if op in (">=", ">", "=="):
            low = max(low, x)
        if op in ("<=", "<", "=="):
            high = min(high, x)
        strict_low = op == ">" and x >= hi
        strict_high = op == "<" and x <= lo
        if strict_low or strict_high or low > hi or high < lo or low > high:
            joined = " and ".join(c.text for c in col.conditions)
            shown_lo, shown_hi = _shown(lo, col.kind), _shown(hi, col.kind)
            raise ConditionError(
                f"condition {joined} cannot hold: training values of {col.name!r} lie in "
                f"[{shown_lo}, {shown_hi}]"
            )


def _shown(x: float, kind: ColumnKind) -> str:
    if kind is ColumnKind.DATETIME:
        return str(pd.Timestamp(round(x * 1e9)))
    return f"{x:g}"


def resolve(ctx: SamplingContext, conditions: Mapping[str, Any]) -> list[ColumnCondition]:
    """Check ``conditions`` against the fitted model and cast their values.

    Raises
    ------
    ConditionError
        An unknown column, a value never seen in training, a value of the wrong type, or a
        condition that no training value satisfies.
    """
    if not isinstance(conditions, Mapping):
        raise ConditionError(
            f"conditions must be a mapping {{column: value}}, got {type(conditions).__name__}"
        )
    schema = ctx.encoder.schema_
    names = schema.names
    columns: list[ColumnCondition] = []
    for name, spec_value in conditions.items():
        name = str(name)
        if name not in names:
            shown = ", ".join(repr(c) for c in names[:12])
            raise ConditionError(f"condition on unknown column {name!r}; columns are: {shown}")
        spec = schema[name]
        raw = _items(name, spec_value)
        col = ColumnCondition(name, spec, [])
        if spec.kind in _DISCRETE:
            _resolve_discrete(ctx, col, raw)
        elif spec.kind in _NUMERIC:
            _resolve_numeric(ctx, col, raw, spec)
        else:  # constant or all-missing columns: decide now, nothing to generate for
            _resolve_fixed(col, raw, spec)
            continue
        columns.append(col)
    return columns


def _resolve_fixed(col: ColumnCondition, raw: list[tuple[str, Any]], spec: Any) -> None:
    fixed = None if spec.kind is ColumnKind.EMPTY else from_json_value(spec.options.get("value"))
    for op, value in raw:
        text = _describe(col.name, op, value)
        try:
            value = _match_category(value, [fixed])
        except KeyError:
            pass
        if not _holds(fixed, op, value, text):
            raise ConditionError(
                f"condition {text} cannot hold: {col.name!r} is always {fixed!r} in training"
            )


def check_consistency(ctx: SamplingContext, columns: list[ColumnCondition]) -> None:
    """Refuse conditions that contradict a declared constraint or a rule of the table (no
    generated row could meet them, so the search would only run out of budget).

    Raises
    ------
    ConditionError
        Naming the conditions and the constraint or rule.
    """
    triples = [(c.column, c.op, c.value) for col in columns for c in col.conditions]
    if not triples:
        return
    if ctx.constraints is not None and len(ctx.constraints):
        ctx.constraints.check_conditions(triples)
    rules = getattr(ctx.encoder, "rules_", None)
    message = None if rules is None else rules.contradiction(triples)
    if message:
        raise ConditionError(message)


#: a condition met by fewer training rows than this, asked for many more rows, is warned about
THIN_ROWS = 20


def is_thin(seen: int, n: int) -> bool:
    """Whether ``n`` rows asked for a condition that ``seen`` training rows meet rest on too
    few of them: fewer than :data:`THIN_ROWS`, and more than five times as many asked for."""
    return seen < THIN_ROWS and n > 5 * max(seen, 1)


def warn_if_thin(ctx: SamplingContext, columns: list[ColumnCondition], n: int) -> None:
    """Warn (a :class:`~tabgan.errors.ThinConditionWarning`, once per draw) when the discrete
    conditions select a handful of training rows, or a combination of categories no training
    row holds, and many more rows are asked for: the rows then rest on what the generator
    learned from very few examples, or from none."""
    total = float(ctx.condition_sampler.counts.sum()) / max(ctx.condition_sampler.n_columns, 1)
    thin = False
    for col in columns:
        if col.span is None:
            continue
        seen = round(col.share * total)
        if is_thin(seen, n):
            thin = True
            joined = " and ".join(c.text for c in col.conditions)
            warnings.warn(
                f"only {seen} training rows have {joined}; the {n} rows asked for rest on what "
                "the model learned from them and may repeat or blur them",
                ThinConditionWarning,
                stacklevel=3,
            )
    pairs = getattr(ctx.encoder, "pairs_", None)
    discrete = [col for col in columns if col.span is not None and col.allowed is not None]
    if thin or pairs is None or len(discrete) < 2:
        return
    found = pairs.rows_with({col.name: col.allowed for col in discrete})
    if found is None:
        return
    seen, k = found
    if is_thin(seen, n):
        joined = " and ".join(c.text for col in discrete for c in col.conditions)
        if seen == 0:
            what = f"no training row has {joined} together"
            rest = "combinations the model never saw, made from what it learned of each alone"
        else:
            what = f"{'at most ' if k > 2 else 'only '}{seen} training rows have {joined}"
            rest = "what the model learned from them and may repeat or blur them"
        warnings.warn(
            f"{what}; the {n} rows asked for rest on {rest}", ThinConditionWarning, stacklevel=3
        )


@dataclass(frozen=True)
class Steering:
    """The discrete condition the generator's conditional vector carries: a span and the
    categories allowed in it, drawn at their training shares."""

    span: int
    allowed: np.ndarray
    weights: np.ndarray


def steering(ctx: SamplingContext, columns: list[ColumnCondition]) -> Steering | None:
    """Steer by the discrete condition that the fewest training rows satisfy (the GAN was
    trained to honour its conditional vector: CTGAN's training-by-sampling); None when no
    discrete condition narrows anything."""
    steer = min((c for c in columns if c.span is not None), key=lambda c: c.share, default=None)
    if steer is None or steer.share >= 1.0:
        return None
    counts = ctx.condition_sampler.span_counts(steer.span).numpy()
    weights = counts[steer.allowed].astype(np.float64)
    return Steering(steer.span, steer.allowed, weights / weights.sum())


__all__ = [
    "OPS",
    "ColumnCondition",
    "Condition",
    "Steering",
    "check_consistency",
    "parse_condition",
    "parse_conditions",
    "resolve",
    "steering",
    "warn_if_thin",
]
