"""Conditional sampling: rows that satisfy conditions on their columns, exactly ``n`` of them.

Condition forms (the ``conditions=`` argument of :meth:`tabgan.TabGAN.sample`)::

    {"income": ">50K"}                 # a scalar means equality
    {"age": (">=", 60)}                # a comparison: one of >=, >, <=, <, ==, !=
    {"age": [(">=", 30), ("<", 40)]}   # several comparisons on one column, all must hold
    {"color": None}                    # the value is missing

How: the discrete condition that the fewest training rows satisfy drives the generator's
conditional vector (the GAN was trained to honour it; CTGAN's training-by-sampling), and every
condition, that one included, is then checked on the decoded rows (rejection), batch after batch,
until ``n`` rows match or a budget of generated rows runs out. Impossible conditions (unknown
column, unseen category, a value outside the training range) fail at once; an exhausted budget
fails with the condition that rejected most rows. Never fewer rows than asked.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tabgan.encoding.schema import ColumnKind
from tabgan.encoding.spans import Draw
from tabgan.errors import ConditionError

if TYPE_CHECKING:
    from tabgan.model import TabGAN

OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
# leftmost operator wins, so "income=>50K" is income == ">50K" and "age>=60" is age >= 60
_TEXT = re.compile(r"^(.+?)(>=|<=|!=|==|=|>|<)(.*)$", re.DOTALL)
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
_DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
MIN_BATCH = 256
MAX_BATCH = 50_000
ROUND_UNITS = 4  # units per round of candidates (fixed: the rows must not depend on lanes)
MIN_UNIT = 4_096  # smaller rounds stay one unit


def candidate_rows(need: int, kept: int, generated: int, prior: float = 1.0) -> int:
    """Rows to generate for ``need`` more accepted ones, at the acceptance rate seen so far
    (``prior`` before any row), with 10% and 16 rows of slack."""
    rate = (kept + 1) / (generated + 1) if generated else prior
    return math.ceil(need / rate * 1.1) + 16


def default_budget(n: int) -> int:
    """Most rows generated to find ``n`` matching ones: ``max(100 n, 100_000)``."""
    return max(100 * n, 100_000)


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
class _Column:
    """All conditions on one column, resolved against the fitted model."""

    name: str
    kind: ColumnKind
    conditions: list[Condition]
    span: int | None = None  # index into layout_.cond_spans (discrete columns)
    allowed: np.ndarray | None = None  # category indices that satisfy every condition
    share: float = 1.0  # training share of the allowed categories
    date_format: str | None = None

    def masks(self, frame: pd.DataFrame) -> list[np.ndarray]:
        """One boolean mask per condition over the decoded rows."""
        series = frame[self.name]
        if self.kind is ColumnKind.DATETIME:
            fmt = self.date_format
            values = pd.to_datetime(series, format=fmt, errors="coerce") if fmt else series
            values = pd.Series(values)
        elif self.kind in _NUMERIC:
            values = pd.to_numeric(series, errors="coerce")
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


def _codec(model: TabGAN, column: str) -> Any:
    # The encoder's codecs hold the training range and the rare values behind the "other"
    # bucket; TableEncoder exposes categories() and category_index() but not these.
    encoder = model.encoder_
    return encoder.codecs_[encoder.schema_.names.index(column)]


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


def _resolve_discrete(model: TabGAN, col: _Column, raw: list[tuple[str, Any]]) -> None:
    encoder = model.encoder_
    codec = _codec(model, col.name)
    cats = list(encoder.categories(col.name))
    rare = list(getattr(codec, "rare_values", []) or [])
    known = cats + rare
    spans = model.layout_.cond_spans
    col.span = next(i for i, s in enumerate(spans) if s.column == col.name)
    width = spans[col.span].width
    start = sum(s.width for s in spans[: col.span])
    counts = model.sampler_.counts.detach().to("cpu").numpy()[start : start + width]
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


def _resolve_numeric(model: TabGAN, col: _Column, raw: list[tuple[str, Any]], spec) -> None:
    codec = _codec(model, col.name)
    lo, hi = float(codec.minimum), float(codec.maximum)
    states = list(getattr(codec, "states", []) or [])
    if col.kind is ColumnKind.DATETIME:
        col.date_format = spec.options.get("format")
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


def resolve(model: TabGAN, conditions: Mapping[str, Any]) -> list[_Column]:
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
    schema = model.encoder_.schema_
    names = schema.names
    columns: list[_Column] = []
    for name, spec_value in conditions.items():
        name = str(name)
        if name not in names:
            shown = ", ".join(repr(c) for c in names[:12])
            raise ConditionError(f"condition on unknown column {name!r}; columns are: {shown}")
        spec = schema[name]
        raw = _items(name, spec_value)
        col = _Column(name, spec.kind, [])
        if spec.kind in _DISCRETE:
            _resolve_discrete(model, col, raw)
        elif spec.kind in _NUMERIC:
            _resolve_numeric(model, col, raw, spec)
        else:  # constant or all-missing columns: decide now, nothing to generate for
            _resolve_fixed(model, col, raw, spec)
            continue
        columns.append(col)
    return columns


def _resolve_fixed(model: TabGAN, col: _Column, raw: list[tuple[str, Any]], spec) -> None:
    from tabgan.encoding.discrete import from_json_value

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


# ---------------------------------------------------------------------------- sampling
def sample_conditional(
    model: TabGAN,
    n: int,
    conditions: Mapping[str, Any],
    seed: int | np.random.SeedSequence | None = None,
    *,
    budget: int | None = None,
) -> pd.DataFrame:
    """Exactly ``n`` synthetic rows that satisfy every condition.

    Parameters
    ----------
    model : TabGAN
        A fitted model.
    n : int
        Rows wanted.
    conditions : mapping
        ``{column: value | (op, value) | [(op, value), ...]}`` (see the module docstring).
    seed : int or SeedSequence, optional
        Makes the draw reproducible on the CPU, whatever the number of torch threads.
    budget : int, optional
        Most rows to generate in the search; default ``max(100 n, 100_000)``.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows, same columns and dtypes as the training table.

    Raises
    ------
    ConditionError
        A condition is impossible, or the budget ran out before ``n`` rows matched; the
        message names the condition that rejected most rows and the acceptance rate.
    """
    from tabgan.lanes import Lanes, lane_count
    from tabgan.model import _positive_int, _seed_state
    from tabgan.sampling import sampling_generator

    model._check_fitted()
    n = _positive_int("n", n)
    columns = resolve(model, conditions)
    budget = default_budget(n) if budget is None else _positive_int("budget", budget)
    ss = seed if isinstance(seed, np.random.SeedSequence) else _seed_state(seed)

    # the conditional vector carries the rarest discrete condition (when it narrows anything)
    steer = min((c for c in columns if c.span is not None), key=lambda c: c.share, default=None)
    if steer is not None and steer.share >= 1.0:
        steer = None
    plan = None
    if steer is not None:
        spans = model.layout_.cond_spans
        start = sum(s.width for s in spans[: steer.span])
        counts = model.sampler_.counts.detach().to("cpu").numpy()
        weights = counts[start + steer.allowed].astype(np.float64)
        plan = (steer.span, steer.allowed, weights / weights.sum())
    conds = [c for col in columns for c in col.conditions]
    refiner = getattr(model, "refiner_", None)

    kept: list[pd.DataFrame] = []
    got = generated = 0
    rejected = np.zeros(len(conds), dtype=np.int64)
    with (
        sampling_generator(model) as generator,
        Lanes(lane_count(model.device_)) as lanes,
    ):
        # rounds of units sized from the rounds before (never from units still in flight), so
        # a seed gives the same units, and the same rows, whatever the number of lanes
        while got < n:
            if generated >= budget:
                raise _exhausted(n, conds, got, generated, rejected, budget)
            total = int(
                min(max(candidate_rows(n - got, got, generated), MIN_BATCH), budget - generated)
            )
            for size in _round_units(total):
                while lanes.full and got < n:
                    got, generated = _take(lanes.next(), kept, rejected, got, generated)
                if got >= n:
                    break
                lanes.submit(_unit, model, generator, size, ss.spawn(1)[0], plan, columns, refiner)
            while len(lanes) and got < n:
                got, generated = _take(lanes.next(), kept, rejected, got, generated)
    out = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0].reset_index(drop=True)
    return out.iloc[:n].reset_index(drop=True)


def _round_units(total: int) -> list[int]:
    """A round of ``total`` candidate rows as units for the lanes: at most ``MAX_BATCH`` rows
    each, and up to ``ROUND_UNITS`` units of at least ``MIN_UNIT`` rows for parallel work."""
    k = max(min(ROUND_UNITS, total // MIN_UNIT), -(-total // MAX_BATCH), 1)
    size, extra = divmod(total, k)
    return [size + 1] * extra + [size] * (k - extra)


def _take(result, kept, rejected, got: int, generated: int) -> tuple[int, int]:
    """Add a finished unit's rows and rejection counts; the new ``(got, generated)``."""
    frame, unit_rejected, size = result
    rejected += unit_rejected
    if len(frame):
        kept.append(frame)
    return got + len(frame), generated + size


def _unit(model, generator, size: int, ss, plan, columns, refiner):
    """``size`` candidate rows from their own seed: ``(matching rows, rows each condition
    rejected, size)``; the refiner (if any) rejects unlikely rows as in unconditional
    sampling."""
    from tabgan.sampling import generate_rows, unit_streams

    trng, np_rng = unit_streams(model, ss)
    if plan is None:
        draw = generate_rows(model, generator, size, trng, None)
    else:
        span, allowed, weights = plan
        split = np_rng.multinomial(size, weights)
        parts = [
            generate_rows(model, generator, int(k), trng, (span, int(cat)))
            for cat, k in zip(allowed, split, strict=True)
            if k > 0
        ]
        draw = Draw.concat(parts).take(np_rng.permutation(size))
    frame = model.encoder_.decode(draw, rng=np_rng)
    ok = np.ones(size, dtype=bool)
    rejected = []
    for col in columns:
        for mask in col.masks(frame):
            rejected.append(int((~mask).sum()))
            ok &= mask
    if refiner is not None:
        ok &= refiner.accept(draw, np_rng, model._sample_dtype())
    return frame.loc[ok], np.asarray(rejected, dtype=np.int64), size


def _exhausted(n, conds, got, generated, rejected, budget) -> ConditionError:
    joined = " and ".join(str(c) for c in conds)
    worst = int(np.argmax(rejected))
    return ConditionError(
        f"could not generate {n} rows with {joined} within a budget of {budget} generated "
        f"rows: {got} matched (acceptance {got / max(generated, 1):.3%}); "
        f"{conds[worst]} rejected most ({rejected[worst] / max(generated, 1):.1%} of rows)"
    )


# ---------------------------------------------------------------------------- balancing
def class_counts(model: TabGAN, column: str) -> dict[Any, int]:
    """Training rows per category of a discrete column (the "other" bucket left out)."""
    model._check_fitted()
    schema = model.encoder_.schema_
    if column not in schema.names:
        raise ConditionError(f"cannot balance unknown column {column!r}")
    if schema[column].kind not in _DISCRETE:
        raise ConditionError(
            f"cannot balance column {column!r}: it is {schema[column].kind.value}, not discrete"
        )
    spans = model.layout_.cond_spans
    index = next(i for i, s in enumerate(spans) if s.column == column)
    start = sum(s.width for s in spans[:index])
    counts = model.sampler_.counts.detach().to("cpu").numpy()
    cats = model.encoder_.categories(column)
    return {cat: int(counts[start + i]) for i, cat in enumerate(cats)}


def balance_plan(counts: Mapping[Any, int], n: int | None = None) -> dict[Any, int]:
    """Rows to generate per class so the classes become as even as possible.

    Parameters
    ----------
    counts : mapping
        Current rows per class.
    n : int, optional
        Total rows to generate. Without it, exactly what lifts every class to the largest one.
        With it, the ``n`` rows go to the smallest classes first (water filling); beyond the
        largest class they are spread evenly. Leftover single rows go to classes in order.

    Returns
    -------
    dict
        Class -> rows to generate (classes needing none are left out).
    """
    keys = list(counts)
    c = np.asarray([int(counts[k]) for k in keys], dtype=np.int64)
    if c.size == 0:
        return {}
    if n is None:
        need = c.max() - c
        return {k: int(v) for k, v in zip(keys, need, strict=True) if v > 0}
    if n < 0:
        raise ConditionError(f"cannot generate a negative number of rows ({n})")
    order = np.argsort(c, kind="stable")
    sorted_c = c[order]
    prefix = np.concatenate([[0], np.cumsum(sorted_c)])
    level = 0.0
    k = len(c)
    for j in range(1, len(c) + 1):
        level = (n + prefix[j]) / j
        if j == len(c) or level <= sorted_c[j]:
            k = j
            break
    floor = math.floor(level)
    alloc = np.zeros(len(c), dtype=np.int64)
    alloc[order[:k]] = np.maximum(floor - sorted_c[:k], 0)
    extra = n - int(alloc.sum())
    for i in order[:k]:  # at most k - 1 single rows left; give them in class order
        if extra <= 0:
            break
        alloc[i] += 1
        extra -= 1
    return {k_: int(v) for k_, v in zip(keys, alloc, strict=True) if v > 0}


def sample_balanced(
    model: TabGAN,
    column: str,
    n: int | None = None,
    seed: int | None = None,
    *,
    conditions: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Synthetic rows that even out the classes of ``column`` (see :func:`balance_plan`).

    ``conditions`` on other columns apply to every generated row. The rows come back shuffled;
    an already balanced column with no ``n`` gives an empty table with the right columns.
    """
    from tabgan.model import _seed_state

    plan = balance_plan(class_counts(model, column), n)
    ss = _seed_state(seed)
    child_ss = ss.spawn(len(plan) + 1)
    parts = []
    for (cls, k), child in zip(plan.items(), child_ss, strict=False):
        conds = dict(conditions or {})
        if column in conds:
            raise ConditionError(f"--balance {column} and a condition on {column!r} conflict")
        conds[column] = ("==", cls)
        parts.append(sample_conditional(model, k, conds, seed=child))
    if not parts:
        return next(model.iter_samples(1, seed=0)).iloc[:0]
    out = pd.concat(parts, ignore_index=True)
    perm = np.random.default_rng(child_ss[-1]).permutation(len(out))
    return out.iloc[perm].reset_index(drop=True)


__all__ = [
    "Condition",
    "balance_plan",
    "class_counts",
    "default_budget",
    "parse_condition",
    "parse_conditions",
    "resolve",
    "sample_balanced",
    "sample_conditional",
]
