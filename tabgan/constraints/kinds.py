"""The constraint kinds: inequalities, ranges, fixed combinations and arithmetic.

Each works on decoded tables (values as the table writes them: numbers, datetime values or date
strings in the column's format). A missing value satisfies an inequality, a range or an
arithmetic constraint (there is nothing to compare); in a fixed combination it is a value like
any other, so only combinations seen in training pass.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tabgan.constraints.grammar import UNITS, ConstraintError, format_name
from tabgan.encoding.convert import numeric_values
from tabgan.encoding.discrete import from_json_value, to_json_value, value_key
from tabgan.encoding.numeric import decimals_of
from tabgan.encoding.schema import ColumnKind, ColumnSpec, Schema, infer_column
from tabgan.errors import InvalidDataError

NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.INTEGER, ColumnKind.DATETIME)
DISCRETE = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
#: conditions are (column, operator, value) with these operators
CONDITION_OPS = ("==", "!=", ">=", ">", "<=", "<")

_ORDER = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


class Constraint:
    """Base of the constraint kinds.

    ``fit`` learns what the constraint needs from the training table (the columns' specs, the
    allowed combinations, an arithmetic target's decimals); ``validate`` then checks the table
    keeps it. ``mask`` and ``repair`` work on decoded tables.
    """

    kind: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the constraint reads."""
        raise NotImplementedError

    # ---------------------------------------------------------------- columns
    def check_columns(self, columns: Schema | Sequence[str]) -> None:
        """Check the columns exist (and, given a schema, are of a kind this constraint takes).

        Raises
        ------
        ConstraintError
            Naming the column and the constraint.
        """
        if isinstance(columns, Schema):
            names = columns.names
            for name in self.columns:
                self._known(name, names)
                self._check_kind(name, columns[name])
            self.specs_ = {c: columns[c].to_dict() for c in self.columns}
        else:
            names = [str(c) for c in columns]
            for name in self.columns:
                self._known(name, names)

    def _known(self, name: str, names: Sequence[str]) -> None:
        if name not in names:
            shown = ", ".join(repr(n) for n in list(names)[:12])
            raise ConstraintError(
                f"constraint '{self}' names unknown column {name!r}; columns are: {shown}"
            )

    def _check_kind(self, name: str, spec: ColumnSpec) -> None:
        raise NotImplementedError

    def _spec(self, name: str) -> ColumnSpec:
        return ColumnSpec.from_dict(self.specs_[name])

    def _values(self, frame: pd.DataFrame, name: str) -> np.ndarray:
        """Float values of a numeric column (seconds for datetimes)."""
        return numeric_values(frame[name], self._spec(name))

    # ---------------------------------------------------------------- fitting
    def fit(self, df: pd.DataFrame, schema: Schema | None = None) -> Constraint:
        """Learn what the constraint needs from the training table.

        Parameters
        ----------
        df : pandas.DataFrame
            The training table.
        schema : Schema, optional
            Its schema (inferred for the constraint's columns when not given).

        Returns
        -------
        Constraint
            ``self``.
        """
        if not isinstance(df, pd.DataFrame):
            raise InvalidDataError(f"expected a pandas DataFrame, got {type(df).__name__}")
        if schema is None:
            self.check_columns([str(c) for c in df.columns])
            schema = Schema([infer_column(c, df[c]) for c in self.columns])
        self.check_columns(schema)
        self._learn(df)
        return self

    def _learn(self, df: pd.DataFrame) -> None:
        """Kind-specific learned state (none by default)."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "specs_"):
            raise ConstraintError(f"constraint '{self}' is not fitted; call fit(df) first")

    def validate(self, df: pd.DataFrame) -> None:
        """Check every row of a real table keeps the constraint.

        Raises
        ------
        InvalidDataError
            How many rows break it, and the first of them.
        """
        ok = self.mask(df)
        if ok.all():
            return
        bad = np.flatnonzero(~ok)
        row = df.iloc[int(bad[0])]
        shown = ", ".join(f"{c}={_show(row[c])}" for c in self.columns)
        raise InvalidDataError(
            f"{bad.size:,} of {len(df):,} training rows break constraint '{self}', e.g. row "
            f"{df.index[int(bad[0])]!r}: {shown}; fix the data or drop the constraint"
        )

    # ---------------------------------------------------------------- sampling
    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean ``(len(frame),)`` mask of the rows that keep the constraint."""
        raise NotImplementedError

    def repair(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with values derived where the constraint fixes them exactly (an arithmetic
        target); unchanged (the same object) for kinds that can only reject."""
        return frame

    def contradiction(self, conditions: Iterable[tuple[str, str, Any]]) -> str | None:
        """A message naming the conditions and this constraint when no row could keep both,
        else ``None``.

        Parameters
        ----------
        conditions : iterable of (column, operator, value)
            Operators among ``==, !=, >=, >, <=, <``; values as the table writes them.
        """
        return None

    # ---------------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        d = {"kind": self.kind, **self._params()}
        if hasattr(self, "specs_"):
            d["specs"] = self.specs_
            d.update(self._state())
        return d

    def _params(self) -> dict:
        raise NotImplementedError

    def _state(self) -> dict:
        return {}

    def _load_state(self, d: dict) -> None:
        if "specs" in d:
            self.specs_ = {str(k): ColumnSpec.from_dict(v).to_dict() for k, v in d["specs"].items()}
            if set(self.specs_) != set(self.columns):
                raise ValueError(f"constraint '{self}': specs do not match its columns")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._params() == self._params()

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    # ---------------------------------------------------------------- conditions
    def _interval(self, name: str, conditions: list[tuple[str, str, Any]]) -> tuple:
        """The interval the conditions on ``name`` allow, and the conditions that bound it."""
        lo, lo_strict, hi, hi_strict = -math.inf, False, math.inf, False
        used = []
        for column, op, value in conditions:
            if column != name or op == "!=":
                continue
            x = self._literal(name, value)
            if x is None:
                continue
            used.append((column, op, value))
            if op in (">=", ">", "==") and (x > lo or (x == lo and op == ">")):
                lo, lo_strict = x, op == ">"
            if op in ("<=", "<", "==") and (x < hi or (x == hi and op == "<")):
                hi, hi_strict = x, op == "<"
        return (lo, lo_strict, hi, hi_strict), used

    def _literal(self, name: str, value: Any) -> float | None:
        """A condition or bound value of a numeric column as a float (seconds for dates)."""
        spec = self._spec(name) if hasattr(self, "specs_") else None
        return literal(value, spec)

    def _message(self, used: list[tuple[str, str, Any]]) -> str:
        conds = " and ".join(f"{c} {op} {_show(v)}" for c, op, v in used)
        plural = "s" if len(used) > 1 else ""
        return f"condition{plural} {conds} contradict{'' if plural else 's'} constraint '{self}'"


def literal(value: Any, spec: ColumnSpec | None) -> float | None:
    """A value compared with a numeric column, as a float (seconds for datetime columns)."""
    if spec is not None and spec.kind is ColumnKind.DATETIME:
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            return float(value)  # already seconds
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise ConstraintError(f"{value!r} is not a date (column {spec.name!r})") from exc
        if stamp is pd.NaT:
            return None
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return (stamp - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        name = f" (column {spec.name!r})" if spec is not None else ""
        raise ConstraintError(f"{value!r} is not a number{name}") from exc
    return None if math.isnan(x) else x


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _check_numeric(constraint: Constraint, name: str, spec: ColumnSpec, dates: bool | None) -> None:
    if spec.kind not in NUMERIC:
        raise ConstraintError(
            f"constraint '{constraint}' needs a numeric or datetime column, but {name!r} is "
            f"{spec.kind.value}"
        )
    if dates is False and spec.kind is ColumnKind.DATETIME:
        raise ConstraintError(f"constraint '{constraint}' needs numbers, but {name!r} is datetime")


class Inequality(Constraint):
    """``high >= low + offset`` (``>`` with ``strict``), between two numeric or two datetime
    columns.

    Parameters
    ----------
    low, high : str
        Column names.
    offset : float or str, default 0
        Added to ``low``. For datetime columns a number is days, or a duration such as
        ``"12h"`` (units ``d``, ``h``, ``min``, ``s``).
    strict : bool, default False
        ``>`` instead of ``>=``.

    Examples
    --------
    >>> Inequality("checkin", "checkout", offset=1)  # checkout >= checkin + 1 (day)
    Inequality('checkout >= checkin + 1')
    """

    kind = "inequality"

    def __init__(self, low: str, high: str, offset: float | str = 0, strict: bool = False):
        self.low = str(low)
        self.high = str(high)
        self.offset = offset
        self.strict = bool(strict)
        self._seconds = None
        if isinstance(offset, str):
            self._seconds = _duration(offset, self)
        elif isinstance(offset, bool) or not isinstance(offset, (int, float, np.number)):
            raise ConstraintError(
                f"offset must be a number or a duration like '1d', got {offset!r}"
            )
        elif not math.isfinite(float(offset)):
            raise ConstraintError(f"offset must be finite, got {offset!r}")
        if self.low == self.high:
            raise ConstraintError(f"constraint '{self}' compares column {self.low!r} with itself")

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.low, self.high)

    def _check_kind(self, name: str, spec: ColumnSpec) -> None:
        _check_numeric(self, name, spec, None)

    def check_columns(self, columns: Schema | Sequence[str]) -> None:
        super().check_columns(columns)
        if isinstance(columns, Schema):
            dates = {c: columns[c].kind is ColumnKind.DATETIME for c in self.columns}
            if dates[self.low] != dates[self.high]:
                raise ConstraintError(
                    f"constraint '{self}' compares a datetime column with a numeric one"
                )
            if self._seconds is not None and not dates[self.low]:
                raise ConstraintError(
                    f"constraint '{self}': a duration offset needs datetime columns"
                )

    def _offset(self) -> float:
        """The offset in the columns' float units (seconds for datetimes)."""
        dates = hasattr(self, "specs_") and self._spec(self.low).kind is ColumnKind.DATETIME
        if self._seconds is not None:
            return self._seconds
        return float(self.offset) * (UNITS["d"] if dates else 1.0)

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        self._check_fitted()
        low, high = self._values(frame, self.low), self._values(frame, self.high)
        bound = low + self._offset()
        with np.errstate(invalid="ignore"):
            if self.strict:
                ok = high > bound
            else:
                # a few units in the last place of slack: 0.29 >= 3.29 - 3 holds as written,
                # though 3.29 - 3 is 0.29000000000000004 in floating point
                slack = 1e-12 * np.maximum(np.maximum(np.abs(bound), np.abs(high)), 1.0)
                ok = high >= bound - slack
        return ok | np.isnan(low) | np.isnan(high)

    def contradiction(self, conditions: Iterable[tuple[str, str, Any]]) -> str | None:
        conditions = list(conditions)
        (l_lo, l_strict, _, _), l_used = self._interval(self.low, conditions)
        (_, _, h_hi, h_strict), h_used = self._interval(self.high, conditions)
        if not math.isfinite(l_lo) or not math.isfinite(h_hi):
            return None
        need = l_lo + self._offset()
        strict = self.strict or l_strict or h_strict
        if h_hi < need or (strict and h_hi == need):
            used = [c for c in l_used if c[1] in (">=", ">", "==")]
            used += [c for c in h_used if c[1] in ("<=", "<", "==")]
            return self._message(used)
        return None

    def _params(self) -> dict:
        return {"low": self.low, "high": self.high, "offset": self.offset, "strict": self.strict}

    def __str__(self) -> str:
        op = ">" if self.strict else ">="
        text = f"{format_name(self.high)} {op} {format_name(self.low)}"
        if self._seconds is not None:
            if self._seconds:
                sign = "-" if self._seconds < 0 else "+"
                text += f" {sign} {_number(abs(self._seconds))}s"
        elif float(self.offset):
            sign = "-" if float(self.offset) < 0 else "+"
            text += f" {sign} {_number(abs(float(self.offset)))}"
        return text


class Range(Constraint):
    """``low <= column <= high`` (either bound may be ``None``; ``<`` where strict).

    Parameters
    ----------
    column : str
    low, high : float, str or None
        Bounds; dates (``"2020-01-01"``) for datetime columns.
    strict_low, strict_high : bool, default False

    Examples
    --------
    >>> Range("discount", 0, 1)
    Range('0 <= discount <= 1')
    """

    kind = "range"

    def __init__(
        self,
        column: str,
        low: float | str | None = None,
        high: float | str | None = None,
        strict_low: bool = False,
        strict_high: bool = False,
    ):
        self.column = str(column)
        self.low = low
        self.high = high
        self.strict_low = bool(strict_low)
        self.strict_high = bool(strict_high)
        if low is None and high is None:
            raise ConstraintError(f"range on {self.column!r} needs a low or a high bound")
        for bound in (low, high):
            if bound is not None and not isinstance(bound, str):
                if isinstance(bound, bool) or not isinstance(bound, (int, float, np.number)):
                    raise ConstraintError(f"range bound must be a number or a date, got {bound!r}")
                if math.isnan(float(bound)):
                    raise ConstraintError(f"range bound must not be NaN (column {self.column!r})")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            if low > high or (low == high and (strict_low or strict_high)):
                raise ConstraintError(f"constraint '{self}' allows no value")

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def _check_kind(self, name: str, spec: ColumnSpec) -> None:
        _check_numeric(self, name, spec, None)
        for bound in (self.low, self.high):
            if isinstance(bound, str) and spec.kind is not ColumnKind.DATETIME:
                raise ConstraintError(
                    f"constraint '{self}': bound {bound!r} is text but {name!r} is "
                    f"{spec.kind.value}"
                )
            literal(bound, spec)

    def _bounds(self) -> tuple[float, float]:
        spec = self._spec(self.column) if hasattr(self, "specs_") else None
        lo = -math.inf if self.low is None else literal(self.low, spec)
        hi = math.inf if self.high is None else literal(self.high, spec)
        return lo, hi

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        self._check_fitted()
        x = self._values(frame, self.column)
        lo, hi = self._bounds()
        with np.errstate(invalid="ignore"):
            ok = (x > lo if self.strict_low else x >= lo) & (
                x < hi if self.strict_high else x <= hi
            )
        return ok | np.isnan(x)

    def contradiction(self, conditions: Iterable[tuple[str, str, Any]]) -> str | None:
        (c_lo, c_lo_s, c_hi, c_hi_s), used = self._interval(self.column, list(conditions))
        if not used:
            return None
        lo, hi = self._bounds()
        low = max((c_lo, c_lo_s), (lo, self.strict_low))
        high = min((c_hi, not c_hi_s), (hi, not self.strict_high))  # (value, not strict)
        if low[0] > high[0] or (low[0] == high[0] and (low[1] or not high[1])):
            return self._message(used)
        return None

    def _params(self) -> dict:
        return {
            "column": self.column,
            "low": self.low,
            "high": self.high,
            "strict_low": self.strict_low,
            "strict_high": self.strict_high,
        }

    def __str__(self) -> str:
        name = format_name(self.column)

        def bound(v: Any) -> str:
            return repr(v) if isinstance(v, str) else _number(float(v))

        lo_op = "<" if self.strict_low else "<="
        hi_op = "<" if self.strict_high else "<="
        if self.low is not None and self.high is not None:
            return f"{bound(self.low)} {lo_op} {name} {hi_op} {bound(self.high)}"
        if self.low is not None:
            return f"{name} {'>' if self.strict_low else '>='} {bound(self.low)}"
        return f"{name} {hi_op} {bound(self.high)}"


class FixedCombinations(Constraint):
    """The discrete columns only take combinations of values seen together in training.

    Parameters
    ----------
    columns : sequence of str
        Two or more categorical or boolean columns.

    Attributes
    ----------
    combinations_ : list of tuple
        The combinations seen at fit (plain values; ``None`` is missing).

    Examples
    --------
    >>> FixedCombinations(["city", "country"])
    FixedCombinations('fixed(city, country)')
    """

    kind = "fixed"

    def __init__(self, columns: Sequence[str]):
        if isinstance(columns, str):
            raise ConstraintError("fixed combinations take a list of columns, not one string")
        self.names = tuple(str(c) for c in columns)
        if len(self.names) < 2:
            raise ConstraintError("fixed combinations need two or more columns")
        if len(set(self.names)) != len(self.names):
            raise ConstraintError(f"constraint '{self}' names a column twice")

    @property
    def columns(self) -> tuple[str, ...]:
        return self.names

    def _check_kind(self, name: str, spec: ColumnSpec) -> None:
        if spec.kind not in DISCRETE:
            raise ConstraintError(
                f"constraint '{self}' needs categorical or boolean columns, but {name!r} is "
                f"{spec.kind.value}; a range or an inequality fits numbers"
            )

    def _learn(self, df: pd.DataFrame) -> None:
        keys = pd.DataFrame({c: _keys(df[c]) for c in self.names})
        first = ~keys.duplicated().to_numpy()
        rows = df.loc[first, list(self.names)] if len(df) else df[list(self.names)]
        self.combinations_ = [
            tuple(from_json_value(to_json_value(v)) for v in row)
            for row in rows.itertuples(index=False, name=None)
        ]

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        self._check_fitted()
        allowed = {tuple(value_key(v) for v in combo) for combo in self.combinations_}
        codes = []
        vocab = []
        for c in self.names:
            code, uniques = pd.factorize(
                pd.Series(frame[c]).reset_index(drop=True), use_na_sentinel=False
            )
            codes.append(code)
            vocab.append([value_key(u) for u in uniques])
        # one test per distinct combination present in the frame
        stacked = np.stack(codes, axis=1) if codes and len(frame) else np.zeros((len(frame), 0))
        if not len(frame):
            return np.zeros(0, dtype=bool)
        combos, inverse = np.unique(stacked, axis=0, return_inverse=True)
        ok = np.array(
            [tuple(vocab[j][k] for j, k in enumerate(row)) in allowed for row in combos],
            dtype=bool,
        )
        return ok[np.asarray(inverse).reshape(-1)]

    def contradiction(self, conditions: Iterable[tuple[str, str, Any]]) -> str | None:
        if not hasattr(self, "combinations_"):
            return None
        used = [c for c in conditions if c[0] in self.names]
        if not used:
            return None
        position = {c: i for i, c in enumerate(self.names)}
        for combo in self.combinations_:
            if all(_holds(combo[position[c]], op, v) for c, op, v in used):
                return None
        return self._message(used) + ": no training row has such a combination"

    def _params(self) -> dict:
        return {"columns": list(self.names)}

    def _state(self) -> dict:
        return {"combinations": [[to_json_value(v) for v in c] for c in self.combinations_]}

    def _load_state(self, d: dict) -> None:
        super()._load_state(d)
        if "combinations" in d:
            combos = [tuple(from_json_value(v) for v in c) for c in d["combinations"]]
            if any(len(c) != len(self.names) for c in combos):
                raise ValueError(f"constraint '{self}': combinations of the wrong length")
            self.combinations_ = combos

    def __str__(self) -> str:
        return "fixed(" + ", ".join(format_name(c) for c in self.names) + ")"


class Arithmetic(Constraint):
    """``target = add[0] + add[1] + ... - subtract[0] - ...`` between numeric columns.

    Repaired exactly: :meth:`repair` recomputes the target, rounded to the decimals the target
    column is written with in training.

    Parameters
    ----------
    target : str
    add : sequence of str
        Columns added.
    subtract : sequence of str, optional
        Columns subtracted.

    Examples
    --------
    >>> Arithmetic("total", add=["price", "tax"])
    Arithmetic('total = price + tax')
    >>> Arithmetic("net", add=["gross"], subtract=["tax"])
    Arithmetic('net = gross - tax')
    """

    kind = "arithmetic"

    def __init__(self, target: str, add: Sequence[str], subtract: Sequence[str] = ()):
        if isinstance(add, str) or isinstance(subtract, str):
            raise ConstraintError("arithmetic takes lists of columns to add and subtract")
        self.target = str(target)
        self.add = tuple(str(c) for c in add)
        self.subtract = tuple(str(c) for c in subtract)
        if not self.add:
            raise ConstraintError(f"arithmetic on {self.target!r} needs a column to add")
        names = (self.target, *self.add, *self.subtract)
        if len(set(names)) != len(names):
            raise ConstraintError(f"constraint '{self}' names a column twice")

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.target, *self.add, *self.subtract)

    def _check_kind(self, name: str, spec: ColumnSpec) -> None:
        _check_numeric(self, name, spec, False)

    def _learn(self, df: pd.DataFrame) -> None:
        self.decimals_ = decimals_of(self._values(df, self.target))

    def _expression(self, frame: pd.DataFrame) -> np.ndarray:
        out = np.zeros(len(frame), dtype=np.float64)
        for c in self.add:
            out = out + self._values(frame, c)
        for c in self.subtract:
            out = out - self._values(frame, c)
        return out

    def _tolerance(self, expr: np.ndarray) -> np.ndarray:
        half = 0.0 if self.decimals_ is None else 0.5 * 10.0 ** (-self.decimals_)
        return half + 1e-9 * np.maximum(1.0, np.abs(expr))

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        self._check_fitted()
        target = self._values(frame, self.target)
        expr = self._expression(frame)
        with np.errstate(invalid="ignore"):
            ok = np.abs(target - expr) <= self._tolerance(expr)
        return ok | np.isnan(target) | np.isnan(expr)

    def repair(self, frame: pd.DataFrame) -> pd.DataFrame:
        self._check_fitted()
        expr = self._expression(frame)
        if self.decimals_ is not None:
            expr = np.round(expr, self.decimals_)
        known = ~np.isnan(expr)
        if not known.any():
            return frame
        frame = frame.copy()
        column = frame[self.target]
        values = pd.Series(expr, index=frame.index)
        if pd.api.types.is_integer_dtype(column.dtype) and not known.all():
            new = column.astype("float64").where(~known, values)
        else:
            new = column.where(~known, values) if not known.all() else values
        try:
            frame[self.target] = new.astype(column.dtype)
        except (TypeError, ValueError):
            frame[self.target] = new
        return frame

    def contradiction(self, conditions: Iterable[tuple[str, str, Any]]) -> str | None:
        conditions = list(conditions)
        (t_lo, _, t_hi, _), t_used = self._interval(self.target, conditions)
        lo = hi = 0.0
        used = list(t_used)
        for sign, names in ((1, self.add), (-1, self.subtract)):
            for c in names:
                (c_lo, _, c_hi, _), c_used = self._interval(c, conditions)
                used += c_used
                lo += c_lo if sign > 0 else -c_hi
                hi += c_hi if sign > 0 else -c_lo
        if not used:
            return None
        tol = 0.0 if getattr(self, "decimals_", None) is None else 0.5 * 10.0 ** (-self.decimals_)
        if t_hi < lo - tol or t_lo > hi + tol:
            return self._message(used)
        return None

    def _params(self) -> dict:
        return {"target": self.target, "add": list(self.add), "subtract": list(self.subtract)}

    def _state(self) -> dict:
        return {"decimals": self.decimals_}

    def _load_state(self, d: dict) -> None:
        super()._load_state(d)
        if "specs" in d:
            decimals = d.get("decimals")
            self.decimals_ = None if decimals is None else int(decimals)

    def __str__(self) -> str:
        text = f"{format_name(self.target)} = " + " + ".join(format_name(c) for c in self.add)
        return text + "".join(f" - {format_name(c)}" for c in self.subtract)


def _duration(text: str, owner: Any = None) -> float:
    from tabgan.constraints.grammar import tokenize

    tokens = tokenize(text.strip())
    if len(tokens) != 2 or tokens[0].kind not in ("duration", "number"):
        raise ConstraintError(f"offset {text!r} is not a duration like '1d', '12h', '30min'")
    value = float(tokens[0].value)
    return value * UNITS["d"] if tokens[0].kind == "number" else value


def _keys(series: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(pd.Series(series).reset_index(drop=True), use_na_sentinel=False)
    ids = {}
    table = np.array([ids.setdefault(value_key(u), len(ids)) for u in uniques], dtype=np.int64)
    return pd.Series(table[codes] if len(uniques) else np.zeros(len(codes), dtype=np.int64))


def _holds(value: Any, op: str, wanted: Any) -> bool:
    """Whether a category value keeps a condition (op, wanted)."""
    if op in ("==", "!="):
        same = value_key(value) == value_key(wanted)
        return same if op == "==" else not same
    if value is None or wanted is None:
        return False
    try:
        return bool(_ORDER[op](value, wanted))
    except TypeError:  # text against a number: the condition cannot hold
        return False
